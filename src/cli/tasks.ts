/**
 * `nanoclaw tasks`: the operator's view of scheduled tasks, with main's authority. Changes are
 * written to the store; a running host notices them at once (it watches the database).
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { openStore } from '../host.js';
import { TaskService } from '../scheduler/service.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';

const USAGE = `nanoclaw tasks list [--group G]
       nanoclaw tasks show <id>
       nanoclaw tasks add --group G (--cron "0 9 * * 1-5" | --every 20m | --at 2026-12-01T09:00) --prompt "..." [--context group] [--script "..."] [--skip-missed]
       nanoclaw tasks pause|resume|cancel|run <id>`;

const OPERATOR: RunContext = { runId: 'cli', group: { folder: 'main', isMain: true } };
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `20m`, `1h`, `2d` or plain milliseconds → milliseconds as a string. */
export function parseEvery(text: string): string {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match)
    throw new UserError(`--every "${text}" is not a duration: use e.g. 90s, 20m, 1h or 2d.`);
  return String(Number(match[1]) * (match[2] ? (UNITS[match[2]] as number) : 1));
}

type Row = Record<string, unknown>;

function print(ctx: CliContext, rows: Row[], columns: string[]): void {
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? '-')));
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((row) => (row[i] as string).length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  ctx.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of cells) ctx.stdout.write(`${line(row)}\n`);
}

export async function tasksCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(
    rest,
    {
      group: { type: 'string' },
      cron: { type: 'string' },
      every: { type: 'string' },
      at: { type: 'string' },
      prompt: { type: 'string' },
      context: { type: 'string' },
      script: { type: 'string' },
      'skip-missed': { type: 'boolean', default: false },
    },
    USAGE,
  );
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  const service = new TaskService({
    tasks: store.tasks,
    groups: store.groups,
    timezone: config.timezone,
    now: Date.now,
    changed: () => {},
  });
  const id = positionals[0] ?? '';
  try {
    switch (sub) {
      case 'list': {
        const { tasks } = service.list(
          OPERATOR,
          values.group ? { group_folder: values.group } : {},
        );
        print(
          ctx,
          tasks.map((t) => ({ ...t, schedule: `${t.schedule.type} ${t.schedule.value}` })),
          ['id', 'group', 'status', 'schedule', 'nextRun', 'prompt'],
        );
        return 0;
      }
      case 'show': {
        const { task, runs } = service.get(OPERATOR, { task_id: id });
        ctx.stdout.write(`${JSON.stringify(task, null, 2)}\n\nRecent runs:\n`);
        print(ctx, runs, ['scheduledFor', 'status', 'durationMs', 'result', 'error']);
        return 0;
      }
      case 'add':
        return add(ctx, service, values);
      case 'pause':
      case 'resume':
      case 'cancel':
      case 'run': {
        const op = sub === 'run' ? 'runNow' : sub;
        service[op](OPERATOR, { task_id: id });
        ctx.stdout.write(`Task ${id}: ${sub === 'run' ? 'runs now' : `${sub}d`}.\n`);
        return 0;
      }
      default:
        throw new UserError(`Usage: ${USAGE}`);
    }
  } finally {
    store.db.close();
  }
}

function add(
  ctx: CliContext,
  service: TaskService,
  values: {
    group?: string;
    cron?: string;
    every?: string;
    at?: string;
    prompt?: string;
    context?: string;
    script?: string;
    'skip-missed'?: boolean;
  },
): number {
  const kinds = [values.cron && 'cron', values.every && 'interval', values.at && 'once'].filter(
    Boolean,
  );
  if (!values.group || !values.prompt || kinds.length !== 1) {
    throw new UserError(
      `Give --group, --prompt and exactly one of --cron, --every, --at.\nUsage: ${USAGE}`,
    );
  }
  if (values.context && values.context !== 'group' && values.context !== 'isolated') {
    throw new UserError('--context must be "isolated" (default) or "group".');
  }
  const scheduleType = kinds[0] as 'cron' | 'interval' | 'once';
  const scheduleValue =
    values.cron ?? (values.every ? parseEvery(values.every) : (values.at as string));
  const { task } = service.schedule(OPERATOR, {
    prompt: values.prompt,
    schedule_type: scheduleType,
    schedule_value: scheduleValue,
    group_folder: values.group,
    ...(values.context ? { context_mode: values.context as 'group' | 'isolated' } : {}),
    ...(values.script ? { script: values.script } : {}),
    ...(values['skip-missed'] ? { missed_policy: 'skip' as const } : {}),
  });
  ctx.stdout.write(`Scheduled ${task.id} for group ${task.group}; next run ${task.nextRun}.\n`);
  return 0;
}
