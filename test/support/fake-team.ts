/**
 * A fake-model script for a lead and its team (pure apart from the log it keeps): a lead whose
 * first message says `TEAM: name=command | name=command` starts one background agent per
 * entry (the SDK's `Agent` tool, with `name`), then ends its turn; each agent runs its command
 * (the default `RUN:` rule) and answers; each completion notice gets a lead answer listing the
 * RESULT-* words of every notice so far. The log says when each of them answered, as the fake
 * saw it.
 */
import {
  defaultReply,
  latestInput,
  userTexts,
  type ContentBlock,
  type MessagesBody,
  type Reply,
} from './fake-anthropic-rules.js';

export interface TeamLogEntry {
  who: 'lead' | string;
  what: 'started-agent' | 'ended-turn' | 'final' | 'agent-answered';
  at: number;
  text?: string;
}

const blocksOf = (content: string | ContentBlock[]): ContentBlock[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

function firstUserText(body: MessagesBody): string {
  const first = body.messages?.find((m) => m.role === 'user');
  return first ? userTexts(blocksOf(first.content)).join('\n') : '';
}

function plain(block: ContentBlock): string {
  if (typeof block.text === 'string') return block.text;
  return typeof block.content === 'string' ? block.content : JSON.stringify(block.content ?? '');
}

/** `TEAM: a=cmd | b=cmd` in the lead's first message (the host may XML-escape it). */
export function teamPlan(text: string): { name: string; command: string }[] | undefined {
  const line = text.split('\n').find((l) => l.includes('TEAM: '));
  if (!line) return undefined;
  const spec = line
    .slice(line.indexOf('TEAM: ') + 6)
    .replace(/<\/message>$/, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');
  return spec.split('|').map((entry) => {
    const [name, ...rest] = entry.trim().split('=');
    return { name: (name ?? '').trim(), command: rest.join('=').trim() };
  });
}

/** RESULT-* words in the completion notices the lead has read so far. */
function noticedResults(body: MessagesBody): string[] {
  const found = new Set<string>();
  for (const m of body.messages ?? []) {
    if (m.role !== 'user') continue;
    for (const block of blocksOf(m.content)) {
      const text = plain(block);
      if (!text.includes('<task-notification>')) continue;
      for (const word of text.match(/RESULT-[A-Za-z0-9]+/g) ?? []) found.add(word);
    }
  }
  return [...found].sort();
}

export function teamScript(log: TeamLogEntry[]) {
  return (body: MessagesBody): Reply | undefined => {
    const first = firstUserText(body);
    const plan = teamPlan(first);
    const latest = latestInput(body);
    if (!plan) {
      // A team member (its first message is the lead's prompt for it): log its answer.
      const agent = /AGENT-NAME (\w+)/.exec(first)?.[1];
      if (agent && latest.some((b) => b.type === 'tool_result')) {
        log.push({ who: agent, what: 'agent-answered', at: Date.now() });
      }
      return undefined;
    }
    if (latest.some((b) => plain(b).includes('<task-notification>'))) {
      const text = `LEAD-FINAL: ${noticedResults(body).join(', ')}`;
      log.push({ who: 'lead', what: 'final', at: Date.now(), text });
      return { text };
    }
    const started = (body.messages ?? []).filter(
      (m) => m.role === 'assistant' && JSON.stringify(m.content).includes('"name":"Agent"'),
    ).length;
    const next = plan[started];
    if (next) {
      log.push({ who: 'lead', what: 'started-agent', at: Date.now(), text: next.name });
      const prompt = `AGENT-NAME ${next.name}\nRUN: ${next.command}`;
      return {
        toolUse: {
          name: 'Agent',
          input: {
            description: next.name,
            name: next.name,
            prompt,
            subagent_type: 'general-purpose',
            run_in_background: true,
          },
        },
      };
    }
    log.push({ who: 'lead', what: 'ended-turn', at: Date.now() });
    return { text: `LEAD: started ${plan.map((p) => p.name).join(' and ')}` };
  };
}

export { defaultReply };
