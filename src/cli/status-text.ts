/** The text of `nanoclaw status` (pure): a report in, lines out. */
import type { LiveRun, StatusReport } from '../control/protocol.js';

export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h ${m % 60}m` : `${Math.floor(h / 24)}d`;
}

const when = (at: number, now: number) =>
  at <= now ? `${ago(now - at)} ago` : `in ${ago(at - now)}`;

function headline(r: StatusReport): string[] {
  if (!r.running || !r.host) {
    return [
      `NanoClaw is not running for ${r.home} (start it: nanoclaw start, or nanoclaw service restart).`,
      'From the database (read-only):',
    ];
  }
  const h = r.host;
  return [
    `NanoClaw ${h.version} is running (pid ${h.pid}, up ${ago(h.uptimeMs)}, sandbox: ${h.runtime}).`,
    `Home: ${r.home}${h.webUrl ? `   Web chat: ${h.webUrl}` : ''}`,
    ...(r.channels.length
      ? ['Channels:', ...r.channels.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`)]
      : ['Channels: none running']),
  ];
}

/** `chat run-1a2b (for 12s)`, `task t-9 (for 3m)`, or just the kind when nothing more is known. */
export function liveRunText(run: LiveRun, now: number): string {
  const id = run.runId ?? run.taskId;
  const elapsed = run.startedAt === undefined ? '' : ` (for ${ago(now - run.startedAt)})`;
  return `${run.kind}${id ? ` ${id}` : ''}${elapsed}`;
}

function groupLines(r: StatusReport, now: number): string[] {
  if (r.groups.length === 0) return ['Groups: none yet'];
  return [
    'Groups:',
    ...r.groups.map((g) => {
      const activity = g.lastActivity ? `last message ${when(g.lastActivity, now)}` : 'no messages';
      const live = g.liveRuns.length
        ? `, running: ${g.liveRuns.map((x) => liveRunText(x, now)).join(', ')}`
        : '';
      const waiting = g.waiting ? `, ${g.waiting} waiting for a sandbox` : '';
      const last = g.lastRun
        ? `, last run ${g.lastRun.ok ? 'ok' : 'FAILED'} ${when(g.lastRun.at, now)}`
        : '';
      return `  ${g.folder.padEnd(12)} ${activity}${last}${live}${waiting}  [${g.chats.join(', ')}]`;
    }),
  ];
}

export function renderStatus(r: StatusReport, now: number, note?: string): string {
  const tasks = r.nextTasks.length
    ? [
        'Next tasks:',
        ...r.nextTasks.map(
          (t) => `  ${t.id}  ${t.group}  ${when(t.nextRun, now)}  (${t.schedule})`,
        ),
      ]
    : ['Next tasks: none scheduled'];
  const problems = r.problems.length
    ? ['To fix:', ...r.problems.map((p) => `  - ${p}`)]
    : ['Nothing to fix.'];
  const lines = [
    ...(note ? [note] : []),
    ...headline(r),
    ...groupLines(r, now),
    ...tasks,
    ...problems,
  ];
  return `${lines.join('\n')}\n`;
}
