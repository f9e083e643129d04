/**
 * When a task runs next (pure). Cron expressions are evaluated in the user's time zone
 * (DST-correct, via cron-parser); intervals are anchored to the previous scheduled time so they
 * never drift, and missed intervals are skipped; a `once` time without an offset means the
 * user's time zone. Every malformed schedule is refused with a UserError saying what is wrong.
 */
import { CronExpressionParser } from 'cron-parser';
import { UserError } from '../errors.js';

export type ScheduleType = 'cron' | 'interval' | 'once';

export interface Schedule {
  type: ScheduleType;
  value: string;
}

export function scheduleOf(task: { scheduleType: ScheduleType; scheduleValue: string }): Schedule {
  return { type: task.scheduleType, value: task.scheduleValue };
}

/** Shortest interval accepted: anything faster is a loop, not a schedule. */
export const MIN_INTERVAL_MS = 10_000;
/** Longest interval accepted; longer cycles are better said with cron or once. */
export const MAX_INTERVAL_MS = 366 * 86_400_000;

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export function checkTimeZone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch (error) {
    throw new UserError(
      `Unknown time zone "${timezone}": use an IANA name like Europe/Berlin.`,
      {},
      { cause: error },
    );
  }
}

/** Offset of `timezone` from UTC at instant `ts`, in ms (positive east of Greenwich). */
export function zoneOffset(ts: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ts));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return wall - Math.floor(ts / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timezone` names (`wall` = that clock reading as if it were
 * UTC). In a fall-back overlap the earlier instant is used; a time inside a spring-forward gap
 * does not exist and moves forward by the length of the gap.
 */
export function wallTimeToInstant(wall: number, timezone: string): number {
  const day = 86_400_000;
  const before = zoneOffset(wall - day, timezone);
  const after = zoneOffset(wall + day, timezone);
  const valid = [wall - before, wall - after].filter((t) => zoneOffset(t, timezone) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  return wall - before;
}

/** What is wrong with the fields of an ISO time, or undefined when they name a real time. */
function badField(y: number, mo: number, d: number, h: number, mi: number, s: number) {
  if (mo < 1 || mo > 12) return `month ${mo} does not exist`;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return `day ${d} does not exist in ${y}-${String(mo).padStart(2, '0')}`;
  if (h > 23) return `hour ${h} does not exist (use 00-23)`;
  if (mi > 59) return `minute ${mi} does not exist`;
  if (s > 59) return `second ${s} does not exist`;
  return undefined;
}

function offsetMs(offset: string): number {
  if (offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) throw new UserError(`Offset "${offset}" is not a UTC offset.`);
  return sign * (hours * 60 + minutes) * 60_000;
}

/** A `once` value as an instant: with an offset exactly that, without one the user's zone. */
export function parseOnce(value: string, timezone: string): number {
  const m = ISO_TIME.exec(value.trim());
  if (!m) {
    throw new UserError(
      `"${value}" is not a time NanoClaw understands: use ISO 8601 like 2026-12-01T09:00 (your ` +
        `time zone) or 2026-12-01T09:00:00Z / 2026-12-01T09:00+01:00 (explicit offset).`,
    );
  }
  const field = (i: number) => Number(m[i] ?? '0');
  const [y, mo, d, h, mi, s] = [field(1), field(2), field(3), field(4), field(5), field(6)];
  const wrong = badField(y, mo, d, h, mi, s);
  if (wrong) throw new UserError(`"${value}" is not a real time: ${wrong}.`);
  const ms = Number(`${m[7] ?? ''}000`.slice(0, 3));
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  return m[8] ? wall - offsetMs(m[8]) : wallTimeToInstant(wall, timezone);
}

export function parseInterval(value: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UserError(
      `Interval "${value}" must be a whole number of milliseconds, e.g. 3600000 for an hour.`,
    );
  }
  const ms = Number(value.trim());
  if (ms < MIN_INTERVAL_MS) {
    throw new UserError(
      `Interval ${ms} ms is too short: the minimum is ${MIN_INTERVAL_MS} ms (10 seconds).`,
    );
  }
  if (ms > MAX_INTERVAL_MS) {
    throw new UserError(
      `Interval ${ms} ms is too long: the maximum is ${MAX_INTERVAL_MS} ms (366 days); use cron or once.`,
    );
  }
  return ms;
}

/** The first cron occurrence strictly after `after`, in `timezone`. */
function cronAfter(value: string, after: number, timezone: string): number {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new UserError(
      `Cron "${value}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; use 5: ` +
        `minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5".`,
    );
  }
  try {
    return CronExpressionParser.parse(value.trim(), { currentDate: new Date(after), tz: timezone })
      .next()
      .getTime();
  } catch (error) {
    throw new UserError(
      `Cron "${value}" is invalid: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

export interface NextRunOptions {
  /** Only occurrences later than this instant (epoch ms) count. */
  after: number;
  /** The previous scheduled occurrence, if the task has had one (intervals count from it). */
  anchor?: number;
  timezone: string;
}

/**
 * The next occurrence later than `after` (and than `anchor`), skipping every missed one, so a
 * task that was down for a while runs once, not in a burst. Undefined when there are no more
 * runs (a `once` task that already had its occurrence, or whose time has passed).
 */
export function nextRun(schedule: Schedule, opts: NextRunOptions): number | undefined {
  const { after, anchor, timezone } = opts;
  checkTimeZone(timezone);
  switch (schedule.type) {
    case 'once': {
      const at = parseOnce(schedule.value, timezone);
      return anchor === undefined && at > after ? at : undefined;
    }
    case 'interval': {
      const every = parseInterval(schedule.value);
      if (anchor === undefined) return after + every;
      const steps = Math.max(1, Math.floor((after - anchor) / every) + 1);
      return anchor + steps * every;
    }
    case 'cron':
      return cronAfter(schedule.value, Math.max(after, anchor ?? after), timezone);
    default:
      throw new UserError(
        `Unknown schedule type "${String(schedule.type)}": use cron, interval or once.`,
      );
  }
}

/** A new (or rescheduled) task's first run; throws a UserError saying what is wrong. */
export function firstRun(schedule: Schedule, now: number, timezone: string): number {
  const at = nextRun(schedule, { after: now, timezone });
  if (at === undefined) {
    throw new UserError(`${schedule.value} is in the past; pick a future time.`);
  }
  return at;
}
