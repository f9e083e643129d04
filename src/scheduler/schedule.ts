/**
 * When a task runs next (pure). Cron expressions are evaluated in the user's time zone
 * (DST-correct, via cron-parser); intervals are anchored to the previous scheduled time so they
 * never drift, and missed intervals are skipped; a `once` time without an offset means the
 * user's time zone.
 */
import { CronExpressionParser } from 'cron-parser';
import { UserError } from '../errors.js';

export type ScheduleType = 'cron' | 'interval' | 'once';

export interface Schedule {
  type: ScheduleType;
  value: string;
}

/** Shortest interval accepted: anything faster is a loop, not a schedule. */
export const MIN_INTERVAL_MS = 10_000;
const NAIVE_ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const OFFSET_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function validTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false; // RangeError: not an IANA zone
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
 * The instant a wall-clock time in `timezone` names. In a fall-back overlap the earlier instant
 * is used; a time inside a spring-forward gap does not exist and moves forward by the gap.
 */
export function wallTimeToInstant(wall: number, timezone: string): number {
  const day = 24 * 60 * 60_000;
  const offsets = [zoneOffset(wall - day, timezone), zoneOffset(wall + day, timezone)];
  const valid = offsets.map((o) => wall - o).filter((t) => zoneOffset(t, timezone) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  return wall - (offsets[0] as number);
}

function parseOnce(value: string, timezone: string): number {
  const naive = NAIVE_ISO.exec(value.trim());
  if (naive) {
    const [, y, mo, d, h, mi, s] = naive.map(Number) as number[];
    const wall = Date.UTC(y as number, (mo as number) - 1, d, h, mi, s || 0);
    return wallTimeToInstant(wall, timezone);
  }
  if (OFFSET_ISO.test(value.trim())) {
    const ts = Date.parse(value.trim());
    if (!Number.isNaN(ts)) return ts;
  }
  throw new UserError(
    `"${value}" is not a time NanoClaw understands: use ISO 8601 like 2026-12-01T09:00 (your ` +
      `time zone) or 2026-12-01T09:00:00Z / +01:00 (explicit offset).`,
  );
}

function parseInterval(value: string): number {
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
  return ms;
}

function cronNext(value: string, after: number, timezone: string): number {
  const fields = value.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new UserError(
      `Cron "${value}" has ${fields.length} fields; use 5: minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5".`,
    );
  }
  try {
    return CronExpressionParser.parse(value, { currentDate: new Date(after), tz: timezone })
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

/** Throws a UserError that says what is wrong; returns the first run time otherwise. */
export function firstRun(schedule: Schedule, now: number, timezone: string): number {
  if (!validTimeZone(timezone))
    throw new UserError(`Unknown time zone "${timezone}": use an IANA name like Europe/Berlin.`);
  if (schedule.type === 'once') {
    const at = parseOnce(schedule.value, timezone);
    if (at <= now) throw new UserError(`${schedule.value} is in the past; pick a future time.`);
    return at;
  }
  if (schedule.type === 'interval') return now + parseInterval(schedule.value);
  if (schedule.type === 'cron') return cronNext(schedule.value, now, timezone);
  throw new UserError(
    `Unknown schedule type "${String(schedule.type)}": use cron, interval or once.`,
  );
}

/**
 * The occurrence after `occurrence`, skipping every one not later than `now` (no burst of
 * missed runs). Undefined when the schedule has no more runs.
 */
export function followingRun(
  schedule: Schedule,
  occurrence: number,
  now: number,
  timezone: string,
): number | undefined {
  if (schedule.type === 'once') return undefined;
  if (schedule.type === 'interval') {
    const every = parseInterval(schedule.value);
    const steps = Math.max(1, Math.floor((now - occurrence) / every) + 1);
    return occurrence + steps * every;
  }
  return cronNext(schedule.value, Math.max(now, occurrence), timezone);
}
