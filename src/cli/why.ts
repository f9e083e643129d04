/**
 * `nanoclaw why <message id | last>`: what happened to a received message, step by step, from
 * the store and the audit trail (read-only; works with the host running or stopped).
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openReadOnlyStore } from '../ops/readonly-store.js';
import { explain, type WhyReport } from '../ops/why.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw why <message id | last> [--json]\n' +
  '  What happened to a received message: stored, the trigger decision, the sender policy,\n' +
  '  the run it was handed to (sandbox, duration, exit), the reply and its delivery, errors.\n' +
  '  "last" is the newest message received on any chat.';

const time = (ms: number) => new Date(ms).toISOString();

export function renderWhy(r: WhyReport): string {
  const m = r.message;
  const lines = [
    `Message ${m.id} in ${m.chatId} from ${m.sender} at ${time(m.ts)} (${m.chars} characters): ${r.verdict.toUpperCase()}`,
    `  stored:   yes`,
    `  group:    ${r.group ? `${r.group.folder}${r.group.isMain ? ' (main)' : ''}` : 'none'}`,
    `  sender:   ${r.sender}`,
    `  trigger:  ${r.trigger}`,
    `  handled:  ${r.handled ? 'yes (the chat has moved past it)' : 'not yet'}`,
  ];
  if (r.runs.length === 0) lines.push('  runs:     none was handed this message');
  for (const s of r.runs) {
    const how = s.outcome === 'running' ? 'still running' : s.outcome;
    const facts = [
      s.runtime ? `sandbox ${s.runtime}` : undefined,
      s.durationMs !== undefined ? `${(s.durationMs / 1000).toFixed(1)} s` : undefined,
      s.exitCode !== undefined ? `exit ${s.exitCode ?? 'none'}` : undefined,
    ].filter(Boolean);
    lines.push(
      `  run:      ${s.runId} (${s.handed}, ${s.messages} message(s)) ${how}${facts.length ? `: ${facts.join(', ')}` : ''}`,
    );
  }
  if (r.reply) {
    const state =
      r.reply.deliveredAt !== undefined
        ? `delivered at ${time(r.reply.deliveredAt)}`
        : `not delivered yet: ${r.reply.attempts} attempt(s), next at ${time(r.reply.nextAttemptAt)}`;
    lines.push(`  reply:    ${r.reply.messageId} (${r.reply.chars} characters), ${state}`);
  } else lines.push('  reply:    none');
  for (const e of r.errors) lines.push(`  error:    ${e}`);
  if (r.alsoIn.length)
    lines.push(`  note:     messages with this id also exist in ${r.alsoIn.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export async function whyCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
  const [ref, extra] = positionals;
  if (!ref || extra !== undefined)
    throw new UserError(`Give one message id, or "last".\nUsage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openReadOnlyStore(config);
  if (!store) throw new UserError(`No database in ${config.home} yet: nothing has been received.`);
  try {
    const report = explain(store, ref, config);
    ctx.stdout.write(values.json ? `${JSON.stringify(report)}\n` : renderWhy(report));
    return 0;
  } finally {
    store.close();
  }
}
