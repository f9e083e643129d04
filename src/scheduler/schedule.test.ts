import { describe, expect, it } from 'vitest';
import { firstRun, followingRun, wallTimeToInstant, zoneOffset } from './schedule.js';

const iso = (ts: number | undefined) => (ts === undefined ? undefined : new Date(ts).toISOString());
const at = (s: string) => Date.parse(s);

describe('cron in the user time zone, across DST', () => {
  const cron = { type: 'cron' as const, value: '30 2 * * *' };

  it('Europe/Berlin spring forward: 02:30 does not exist on 29 March; that day it runs at 03:30', () => {
    const gapDay = followingRun(
      cron,
      at('2026-03-28T01:30:00Z'),
      at('2026-03-28T01:30:00Z'),
      'Europe/Berlin',
    );
    expect(iso(gapDay)).toBe('2026-03-29T01:30:00.000Z');
    const after = followingRun(cron, gapDay as number, gapDay as number, 'Europe/Berlin');
    expect(iso(after)).toBe('2026-03-30T00:30:00.000Z');
  });

  it('Europe/Berlin fall back: 02:30 happens twice on 25 October and runs once', () => {
    const first = followingRun(
      cron,
      at('2026-10-24T00:30:00Z'),
      at('2026-10-24T00:30:00Z'),
      'Europe/Berlin',
    );
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z');
    const second = followingRun(cron, first as number, first as number, 'Europe/Berlin');
    expect(iso(second)).toBe('2026-10-26T01:30:00.000Z');
  });

  it('America/New_York: 9:00 weekdays stays 9:00 local before and after DST', () => {
    const weekdays = { type: 'cron' as const, value: '0 9 * * 1-5' };
    expect(iso(firstRun(weekdays, at('2026-03-06T15:00:00Z'), 'America/New_York'))).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    expect(iso(firstRun(weekdays, at('2026-03-05T15:00:00Z'), 'America/New_York'))).toBe(
      '2026-03-06T14:00:00.000Z',
    );
    expect(iso(firstRun(weekdays, at('2026-10-30T15:00:00Z'), 'America/New_York'))).toBe(
      '2026-11-02T14:00:00.000Z',
    );
  });

  it('skips missed occurrences instead of replaying them', () => {
    const hourly = { type: 'cron' as const, value: '0 * * * *' };
    const next = followingRun(
      hourly,
      at('2026-01-01T00:00:00Z'),
      at('2026-01-01T05:10:00Z'),
      'UTC',
    );
    expect(iso(next)).toBe('2026-01-01T06:00:00.000Z');
  });
});

describe('intervals', () => {
  const every = { type: 'interval' as const, value: String(60 * 60_000) };

  it('are anchored to the previous scheduled time (no drift from slow runs)', () => {
    const occurrence = at('2026-01-01T10:00:00Z');
    expect(iso(followingRun(every, occurrence, occurrence + 4_321, 'UTC'))).toBe(
      '2026-01-01T11:00:00.000Z',
    );
  });

  it('skip missed intervals after downtime', () => {
    const occurrence = at('2026-01-01T10:00:00Z');
    expect(iso(followingRun(every, occurrence, at('2026-01-01T13:30:00Z'), 'UTC'))).toBe(
      '2026-01-01T14:00:00.000Z',
    );
  });

  it('start one interval from now', () => {
    expect(firstRun(every, 1_000, 'UTC')).toBe(1_000 + 3_600_000);
  });
});

describe('once', () => {
  const now = at('2026-06-01T00:00:00Z');

  it('without an offset means the user time zone', () => {
    expect(iso(firstRun({ type: 'once', value: '2026-06-02T09:00' }, now, 'Europe/Berlin'))).toBe(
      '2026-06-02T07:00:00.000Z',
    );
    expect(
      iso(firstRun({ type: 'once', value: '2026-12-02 09:00:30' }, now, 'America/New_York')),
    ).toBe('2026-12-02T14:00:30.000Z');
  });

  it('with an offset means exactly that instant', () => {
    expect(
      iso(firstRun({ type: 'once', value: '2026-06-02T09:00:00+02:00' }, now, 'America/New_York')),
    ).toBe('2026-06-02T07:00:00.000Z');
    expect(iso(firstRun({ type: 'once', value: '2026-06-02T09:00:00Z' }, now, 'Asia/Tokyo'))).toBe(
      '2026-06-02T09:00:00.000Z',
    );
  });

  it('runs only once', () => {
    expect(
      followingRun({ type: 'once', value: '2026-06-02T09:00' }, now + 1000, now + 2000, 'UTC'),
    ).toBeUndefined();
  });
});

describe('wall clock to instant', () => {
  it('picks the earlier instant in an overlap and moves a gap time forward', () => {
    expect(iso(wallTimeToInstant(at('2026-10-25T02:30:00Z'), 'Europe/Berlin'))).toBe(
      '2026-10-25T00:30:00.000Z',
    );
    expect(iso(wallTimeToInstant(at('2026-03-29T02:30:00Z'), 'Europe/Berlin'))).toBe(
      '2026-03-29T01:30:00.000Z',
    );
    expect(zoneOffset(at('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3600_000);
  });
});

describe('invalid schedules say what is wrong', () => {
  const now = at('2026-06-01T00:00:00Z');
  it.each([
    [{ type: 'cron', value: '0 9 * *' }, /4 fields; use 5/],
    [{ type: 'cron', value: '0 0 9 * * *' }, /6 fields; use 5/],
    [{ type: 'cron', value: '61 * * * *' }, /Cron "61 \* \* \* \*" is invalid/],
    [{ type: 'interval', value: '0' }, /too short/],
    [{ type: 'interval', value: '-5' }, /whole number of milliseconds/],
    [{ type: 'interval', value: 'hourly' }, /whole number of milliseconds/],
    [{ type: 'interval', value: '5000' }, /minimum is 10000 ms/],
    [{ type: 'once', value: 'tomorrow 9am' }, /not a time NanoClaw understands/],
    [{ type: 'once', value: '2020-01-01T00:00' }, /in the past/],
    [{ type: 'weekly', value: 'x' }, /Unknown schedule type "weekly"/],
  ] as const)('%j', (schedule, message) => {
    expect(() => firstRun(schedule as never, now, 'UTC')).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => firstRun({ type: 'interval', value: '60000' }, now, 'Mars/Olympus')).toThrow(
      /Unknown time zone/,
    );
  });
});
