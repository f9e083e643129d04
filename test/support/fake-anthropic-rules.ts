/**
 * The fake model's default script (pure): the reply depends only on the request body. Directives
 * in the latest user text (RUN:, TOOL:, AGENT:) become tool calls; a tool result or a background
 * agent's notice gets a final text; anything else is echoed.
 */
export type Reply =
  { text: string } | { toolUse: { name: string; input: Record<string, unknown> }; text?: string };

export interface ContentBlock {
  type: string;
  text?: string;
  content?: unknown;
}

export interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string | ContentBlock[] }[];
  system?: unknown;
}

function blocks(content: string | ContentBlock[]): ContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

function blockText(block: ContentBlock): string {
  if (typeof block.text === 'string') return block.text;
  if (typeof block.content === 'string') return block.content;
  if (Array.isArray(block.content)) {
    return (block.content as ContentBlock[]).map((b) => b.text ?? '').join('');
  }
  return '';
}

/** Messages after the last assistant message: the input the model is answering now. */
export function latestMessages(body: MessagesBody): { role: string; blocks: ContentBlock[] }[] {
  const messages = body.messages ?? [];
  let start = 0;
  messages.forEach((m, i) => {
    if (m.role === 'assistant') start = i + 1;
  });
  return messages.slice(start).map((m) => ({ role: m.role, blocks: blocks(m.content) }));
}

/** Blocks of the user messages in the latest input (`role: "system"` entries are left out). */
export function latestInput(body: MessagesBody): ContentBlock[] {
  return latestMessages(body)
    .filter((m) => m.role === 'user')
    .flatMap((m) => m.blocks);
}

const isReminder = (text: string) => text.trimStart().startsWith('<system-reminder>');

/** User texts a person could have typed (system reminders left out). */
export function userTexts(input: ContentBlock[]): string[] {
  return input
    .filter((b) => b.type === 'text')
    .map(blockText)
    .filter((t) => t && !isReminder(t));
}

/** The default script: directives in the latest user text decide the reply. */
export function defaultReply(body: MessagesBody): Reply {
  const all = latestMessages(body).flatMap((m) => m.blocks);
  const texts = userTexts(latestInput(body));
  const toolResults = all.filter((b) => b.type === 'tool_result');
  if (toolResults.length > 0) {
    const saw = texts.length ? ` | SAW: ${texts.join(' / ')}` : '';
    return { text: `DONE: ${toolResults.map(blockText).join('\n').trim()}${saw}` };
  }
  // The CLI wraps a background agent's completion notice in a <system-reminder>.
  const notices = all.filter((b) => b.type === 'text').map(blockText);
  if (notices.some((t) => t.includes('<task-notification>'))) return { text: 'NOTIFIED' };
  const lines = texts
    .join('\n')
    .split('\n')
    .map((l) => l.trim());
  // Directives may sit inside the host's <message> XML wrapper.
  const directive = lines
    .map((l) => l.replace(/^<message [^>]*>/, '').replace(/<\/message>$/, ''))
    .reverse()
    .find((l) => /^(RUN|TOOL|AGENT): /.test(l));
  const scripted = directive === undefined ? undefined : directiveReply(directive);
  return scripted ?? { text: `ECHO: ${texts.join(' / ')}` };
}

/** `RUN: cmd` → Bash; `TOOL: name {json}` → that tool; `AGENT: cmd` → a background subagent. */
function directiveReply(directive: string): Reply | undefined {
  if (directive.startsWith('RUN: ')) {
    const command = unescapeXml(directive.slice(5));
    return { toolUse: { name: 'Bash', input: { command, description: 'scripted command' } } };
  }
  if (directive.startsWith('TOOL: ')) {
    const rest = unescapeXml(directive.slice(6));
    const space = rest.indexOf(' ');
    const name = space === -1 ? rest : rest.slice(0, space);
    const input =
      space === -1 ? {} : (JSON.parse(rest.slice(space + 1)) as Record<string, unknown>);
    return { toolUse: { name, input } };
  }
  if (directive.startsWith('AGENT: ')) {
    return {
      toolUse: {
        name: 'Agent',
        input: {
          description: 'background helper',
          prompt: `RUN: ${unescapeXml(directive.slice(7))}`,
          subagent_type: 'general-purpose',
          run_in_background: true,
        },
      },
    };
  }
  return undefined;
}

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
