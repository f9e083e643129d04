/**
 * `nanoclaw tasks`: the operator's view of scheduled tasks, with main's authority (the operator
 * is at the machine). Bodies go through the same zod schemas as the agent tools. Changes are
 * written to the store; a running host re-arms when the database changes on disk, and at the
 * latest within a minute (its safety re-arm).
 */
import type { z } from 'zod';
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { openStore } from '../host.js';
import { TaskService, type runView, type taskView } from '../scheduler/service.js';
import { TASK_SCHEMAS } from '../shared/task-api.js';
import { parse, subcommand } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw tasks list [--group G]
       nanoclaw tasks show <id>
       nanoclaw tasks add --group G (--cron "0 9 * * 1-5" | --every 20m | --at 2026-12-01T09:00)
                          --prompt "..." [--context group] [--script "..."] [--skip-missed]
       nanoclaw tasks pause|resume|cancel|run <id>
  --script is a pre-check: a shell command run in the group's sandbox before each run; the agent
  wakes only if the last line it prints is {"wakeAgent": true} (optionally with "data": {...},
  which the agent gets); anything else skips that run.`;

const PRECHECK_NOTE =
  'Its pre-check runs first; the agent wakes only when its last line is {"wakeAgent": true}.\n';

const SUBCOMMANDS = ['list', 'show', 'add', 'pause', 'resume', 'cancel', 'run'] as const;

const OPTIONS = {
  group: { type: 'string' },
  cron: { type: 'string' },
  every: { type: 'string' },
  at: { type: 'string' },
  prompt: { type: 'string' },
  context: { type: 'string' },
  script: { type: 'string' },
  'skip-missed': { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];
type TaskView = ReturnType<typeof taskView>;
type RunView = ReturnType<typeof runView>;

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `20m`, `1h`, `2d`, `1h30m` → milliseconds as a string (the interval's value). */
export function parseEvery(text: string): string {
  const compact = text.trim().toLowerCase();
  if (!/^(\d+[smhd])+$/.test(compact))
    throw new UserError(`--every "${text}" is not a duration: use e.g. 90s, 20m, 1h, 1h30m or 2d.`);
  let ms = 0;
  for (const [, n, unit] of compact.matchAll(/(\d+)([smhd])/g))
    ms += Number(n) * (UNITS[unit ?? ''] ?? 0);
  return String(ms);
}

/** 5400000 → `1h30m`: an interval the way --every takes it. */
function every(ms: number): string {
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) parts.push(`${Math.floor(rest / seconds)}${unit}`);
    rest %= seconds;
  }
  return parts.join('') || `${ms} ms`;
}

function scheduleText(task: TaskView): string {
  const { type, value } = task.schedule;
  return type === 'interval' ? `every ${every(Number(value))}` : `${type} ${value}`;
}

/** An ISO instant as `2026-12-01 09:00` on the user's wall clock. */
export function localTime(iso: string | null, timezone: string): string {
  if (!iso) return '-';
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

function oneLine(text: string | null, max: number): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function duration(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** The same body check the agent tools get: the CLI is not a way around the schemas. */
function checked<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw new UserError(`Invalid task: ${problems.join('; ')}`);
}

export async function tasksCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  if (given === 'help') {
    ctx.stdout.write(`Usage: ${USAGE}\n`);
    return 0;
  }
  const sub = subcommand(given, SUBCOMMANDS, USAGE);
  const { values, positionals } = parse(rest, OPTIONS, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  const tz = config.timezone;
  const service = new TaskService({
    tasks: store.tasks,
    groups: store.groups,
    timezone: tz,
    now: Date.now,
    changed: () => {}, // the running host notices the write itself (see the header)
  });
  const session: Session = {
    service,
    tz,
    operator: {
      runId: 'cli',
      group: { folder: store.groups.main()?.folder ?? 'main', isMain: true },
    },
  };
  try {
    ctx.stdout.write(execute(sub, values, positionals[0], session));
    return 0;
  } finally {
    store.db.close();
  }
}

interface Session {
  service: TaskService;
  operator: RunContext;
  tz: string;
}

/** Runs one subcommand; returns what to print. */
function execute(sub: string, values: Values, id: string | undefined, s: Session): string {
  const { service, operator, tz } = s;
  if (sub === 'list') {
    const body = checked(TASK_SCHEMAS.list_tasks, { group_folder: values.group });
    return listText(service.list(operator, body).tasks, tz);
  }
  if (sub === 'add') {
    const { task } = service.schedule(
      operator,
      checked(TASK_SCHEMAS.schedule_task, addBody(values)),
    );
    const scheduled = `Scheduled ${task.id} for group ${task.group}; next run ${localTime(task.nextRun, tz)} (${tz}).\n`;
    return task.script ? `${scheduled}${PRECHECK_NOTE}` : scheduled;
  }
  if (!id) throw new UserError(`Usage: ${USAGE}`);
  const target = checked(TASK_SCHEMAS.get_task, { task_id: id });
  switch (sub) {
    case 'show': {
      const { task, runs } = service.get(operator, target);
      return showText(task, runs, tz);
    }
    case 'cancel':
      service.cancel(operator, target);
      return `Task ${id}: cancelled.\n`;
    case 'run':
      service.runNow(operator, target);
      return `Task ${id} is due now: a running NanoClaw starts it at once (otherwise at its next start).\n`;
    default: {
      const { task } =
        sub === 'pause' ? service.pause(operator, target) : service.resume(operator, target);
      return `Task ${id}: ${task.status}; next run ${localTime(task.nextRun, tz)}.\n`;
    }
  }
}

function addBody(values: Values): Record<string, unknown> {
  const given = (['cron', 'every', 'at'] as const).filter((k) => values[k] !== undefined);
  if (!values.group || !values.prompt || given.length !== 1) {
    throw new UserError(
      `Give --group, --prompt and exactly one of --cron, --every, --at.\nUsage: ${USAGE}`,
    );
  }
  const [scheduleType, scheduleValue] = values.cron
    ? ['cron', values.cron]
    : values.every
      ? ['interval', parseEvery(values.every)]
      : ['once', values.at];
  return {
    prompt: values.prompt,
    schedule_type: scheduleType,
    schedule_value: scheduleValue,
    group_folder: values.group,
    context_mode: values.context,
    script: values.script,
    missed_policy: values['skip-missed'] ? 'skip' : undefined,
  };
}

function listText(tasks: TaskView[], tz: string): string {
  if (tasks.length === 0) {
    return (
      'No scheduled tasks yet. Add one with:\n' +
      '  nanoclaw tasks add --group main --every 1h --prompt "..."\n'
    );
  }
  const rows = tasks.map((t) => [
    t.id,
    t.group,
    t.status,
    scheduleText(t),
    localTime(t.nextRun, tz),
    oneLine(t.prompt, 50),
  ]);
  const headers = ['ID', 'GROUP', 'STATUS', 'SCHEDULE', 'NEXT RUN', 'PROMPT'];
  return `${table(headers, rows)}(times in ${tz})\n`;
}

function showText(task: TaskView, runs: RunView[], tz: string): string {
  const fields: [string, string][] = [
    ['Task', task.id],
    ['Group', task.group],
    ['Status', task.pausedReason ? `${task.status} (${task.pausedReason})` : task.status],
    ['Schedule', scheduleText(task)],
    ['Next run', `${localTime(task.nextRun, tz)} (${tz})`],
    ['Context', task.contextMode],
    ['Missed runs', task.missedPolicy],
    [
      'Pre-check',
      task.script
        ? `${oneLine(task.script, 100)} (wakes the agent only on {"wakeAgent": true})`
        : '-',
    ],
    ['Prompt', oneLine(task.prompt, 200)],
  ];
  const head = fields.map(([k, v]) => `${`${k}:`.padEnd(13)}${v}`).join('\n');
  if (runs.length === 0) return `${head}\n\nNo runs yet.\n`;
  const rows = runs.map((r) => [
    localTime(r.scheduledFor, tz),
    r.status,
    duration(r.durationMs),
    oneLine(r.error ?? r.result, 80),
  ]);
  return `${head}\n\nRecent runs:\n${table(['SCHEDULED FOR', 'STATUS', 'DURATION', 'RESULT / ERROR'], rows)}`;
}
