/**
 * `nanoclaw why`: what happened to one inbound message, assembled from the store and the audit
 * trail (pure over a read-only store). The trigger decision and the sender policy are worked out
 * again by the same rules the host uses (conversation/trigger.ts, security/senders.ts) from the
 * facts stored with the message when it arrived (may it wake the agent, was it addressed to the
 * bot) and the group's rules as they are now; which run it was handed to and how that run ended
 * come from the audit trail; the reply and its delivery from the outbox.
 */
import { UserError } from '../errors.js';
import { senderDecision } from '../security/senders.js';
import { defaultTrigger, shouldAnswer, startsWithTrigger } from '../conversation/trigger.js';
import type { Group } from '../store/groups.js';
import type { MessageFacts, OutboxFacts } from '../store/inspect.js';
import type { ReadOnlyStore } from './readonly-store.js';

export type Verdict =
  | 'answered'
  | 'answered, delivery retrying'
  | 'answered, not delivered yet'
  | 'handled without a reply'
  | 'ignored: no trigger'
  | 'context only: sender policy'
  | 'failed, will be retried'
  | 'waiting for a run'
  | 'no group';

export interface RunStep {
  runId: string;
  handed: 'started' | 'follow-up';
  messages: number;
  runtime?: string;
  outcome: 'running' | 'ok' | 'failed';
  durationMs?: number;
  exitCode?: number | null;
  error?: string;
}

export interface WhyReport {
  message: { chatId: string; id: string; ts: number; sender: string; chars: number };
  group: { folder: string; isMain: boolean; requiresTrigger: boolean; trigger: string } | null;
  sender: string;
  trigger: string;
  handled: boolean;
  runs: RunStep[];
  reply: (Omit<OutboxFacts, 'text'> & { chars: number }) | null;
  errors: string[];
  verdict: Verdict;
  /** Other chats holding a message with this id (ids are unique per chat only). */
  alsoIn: string[];
}

/** Why the message did (not) wake the agent, by the group's rules (pure). */
export function triggerReason(group: Group, m: MessageFacts, assistantName: string): string {
  const trigger = group.trigger ?? defaultTrigger(assistantName);
  if (!m.mayTrigger) return 'cannot wake the agent (its sender is context only, or a bot)';
  if (group.isMain) return 'wakes the agent: the main group answers every message';
  if (!group.requiresTrigger) return 'wakes the agent: this group answers every message';
  if (m.addressed) return 'wakes the agent: addressed to the bot (a mention or a reply to it)';
  if (startsWithTrigger(m.content, trigger)) return `wakes the agent: starts with ${trigger}`;
  return `does not wake the agent: no ${trigger} at the start and not addressed to the bot; it waits as context for the next message that does`;
}

function senderReason(
  store: ReadOnlyStore,
  group: Group,
  m: MessageFacts,
  owners: readonly string[],
): string {
  const decision = senderDecision(group.senderPolicy, m.senderId, [
    ...owners,
    ...store.pairing.owners(),
  ]);
  const policy = `policy ${group.senderPolicy.allow === 'all' ? 'allow all' : 'allow listed'}, mode ${group.senderPolicy.mode}`;
  if (!m.mayTrigger) return `context only when it arrived (${policy}; now: ${decision})`;
  return `${decision} (${policy})`;
}

function runSteps(store: ReadOnlyStore, m: MessageFacts, folder: string): RunStep[] {
  return store.inspect.turnsCovering(m.chatId, m, folder).map((turn) => {
    const end = store.inspect.runEnd(turn.runId);
    const d = end?.detail ?? {};
    const error = typeof d.error === 'string' ? d.error : undefined;
    return {
      runId: turn.runId,
      handed: turn.decision === 'follow-up' ? 'follow-up' : 'started',
      messages: turn.messages,
      ...(end ? { runtime: end.action.replace(/ run$/, '') } : {}),
      outcome: end ? (end.decision === 'ok' ? 'ok' : 'failed') : 'running',
      ...(typeof d.durationMs === 'number' ? { durationMs: d.durationMs } : {}),
      ...(end ? { exitCode: typeof d.exitCode === 'number' ? d.exitCode : null } : {}),
      ...(error ? { error } : {}),
    };
  });
}

function verdictOf(
  r: Omit<WhyReport, 'verdict' | 'alsoIn'>,
  wakes: boolean,
  mayTrigger: boolean,
): Verdict {
  if (!r.group) return 'no group';
  if (r.reply) {
    if (r.reply.deliveredAt !== undefined) return 'answered';
    return r.reply.attempts > 0 ? 'answered, delivery retrying' : 'answered, not delivered yet';
  }
  if (r.handled) return 'handled without a reply';
  if (r.runs.some((s) => s.outcome === 'failed')) return 'failed, will be retried';
  if (!mayTrigger) return 'context only: sender policy';
  return wakes ? 'waiting for a run' : 'ignored: no trigger';
}

export function explain(
  store: ReadOnlyStore,
  ref: string,
  settings: { assistantName: string; ownerIds: readonly string[] },
): WhyReport {
  const found =
    ref === 'last'
      ? [store.inspect.lastInbound()].flatMap((m) => (m ? [m] : []))
      : store.inspect.inbound(ref);
  const m = found[0];
  if (!m) {
    throw new UserError(
      ref === 'last'
        ? 'No message has been received yet.'
        : `No received message has the id "${ref}". Ids are shown by \`nanoclaw why last\` and in the ` +
            'web API; messages of chats no group has, and of senders a policy drops, are not kept.',
    );
  }
  const group = store.groups.getByChat(m.chatId);
  const cursor = store.messages.cursor(m.chatId);
  const handled =
    cursor !== undefined && (cursor.ts > m.ts || (cursor.ts === m.ts && cursor.id >= m.id));
  const runs = group ? runSteps(store, m, group.folder) : [];
  const reply = handled ? store.inspect.replyCovering(m.chatId, m) : undefined;
  const errors = [
    ...runs.flatMap((s) => (s.error ? [`run ${s.runId}: ${s.error}`] : [])),
    ...(reply?.lastError ? [`delivery: ${reply.lastError}`] : []),
  ];
  const base = {
    message: {
      chatId: m.chatId,
      id: m.id,
      ts: m.ts,
      sender: m.senderName,
      chars: m.content.length,
    },
    group: group
      ? {
          folder: group.folder,
          isMain: group.isMain,
          requiresTrigger: group.requiresTrigger,
          trigger: group.trigger ?? defaultTrigger(settings.assistantName),
        }
      : null,
    sender: group ? senderReason(store, group, m, settings.ownerIds) : 'no group: not applied',
    trigger: group ? triggerReason(group, m, settings.assistantName) : 'no group answers this chat',
    handled,
    runs,
    reply: reply ? (({ text, ...rest }) => ({ ...rest, chars: text.length }))(reply) : null,
    errors,
  };
  const wakes = group ? shouldAnswer(group, settings.assistantName, [m]) : false;
  return {
    ...base,
    verdict: verdictOf(base, wakes, m.mayTrigger),
    alsoIn: found.slice(1).map((x) => x.chatId),
  };
}
