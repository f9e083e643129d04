import { describe, expect, it } from 'vitest';
import {
  firstRun,
  nextRun,
  parseOnce,
  wallTimeToInstant,
  zoneOffset,
  type Schedule,
} from './schedule.js';

const iso = (ts: number | undefined) => (ts === undefined ? undefined : new Date(ts).toISOString());
const at = (s: string) => Date.parse(s);
const cron = (value: string): Schedule => ({ type: 'cron', value });

/** The next `n` occurrences as the scheduler computes them: each anchored on the previous. */
function occurrences(schedule: Schedule, from: string, timezone: string, n: number): string[] {
  const out: string[] = [];
  let anchor: number | undefined;
  let after = at(from);
  for (let i = 0; i < n; i++) {
    const next = nextRun(schedule, { after, anchor, timezone });
    if (next === undefined) break;
    out.push(iso(next) as string);
    anchor = next;
    after = next;
  }
  return out;
}

// 2026: Europe/Berlin springs forward 29 March 02:00 CET → 03:00 CEST (01:00Z) and falls back
// 25 October 03:00 CEST → 02:00 CET (01:00Z). America/New_York springs forward 8 March
// 02:00 EST → 03:00 EDT (07:00Z) and falls back 1 November 02:00 EDT → 01:00 EST (06:00Z).
describe('cron in Europe/Berlin across DST', () => {
  const tz = 'Europe/Berlin';

  it('spring forward: a daily 02:30 does not exist on 29 March, so that day it runs at 03:30', () => {
    expect(occurrences(cron('30 2 * * *'), '2026-03-28T12:00:00Z', tz, 3)).toEqual([
      '2026-03-29T01:30:00.000Z', // 03:30 CEST
      '2026-03-30T00:30:00.000Z', // 02:30 CEST
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('spring forward: an hourly job runs every real hour (local 02:00 is skipped, no gap)', () => {
    expect(occurrences(cron('0 * * * *'), '2026-03-28T23:30:00Z', tz, 4)).toEqual([
      '2026-03-29T00:00:00.000Z', // 01:00 CET
      '2026-03-29T01:00:00.000Z', // 03:00 CEST
      '2026-03-29T02:00:00.000Z', // 04:00 CEST
      '2026-03-29T03:00:00.000Z',
    ]);
  });

  it('fall back: a daily 02:30 happens twice on 25 October and runs once, at the first', () => {
    expect(occurrences(cron('30 2 * * *'), '2026-10-24T12:00:00Z', tz, 2)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST; 02:30 CET (01:30Z) does not run
      '2026-10-26T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('fall back: an hourly job runs in both copies of the repeated hour (every real hour)', () => {
    expect(occurrences(cron('30 * * * *'), '2026-10-24T23:00:00Z', tz, 4)).toEqual([
      '2026-10-24T23:30:00.000Z', // 01:30 CEST
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:30:00.000Z', // 02:30 CET
      '2026-10-25T02:30:00.000Z', // 03:30 CET
    ]);
  });
});

describe('cron in America/New_York across DST', () => {
  const tz = 'America/New_York';

  it('spring forward: a daily 02:30 runs at 03:30 EDT on 8 March, 02:30 after', () => {
    expect(occurrences(cron('30 2 * * *'), '2026-03-07T12:00:00Z', tz, 2)).toEqual([
      '2026-03-08T07:30:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('fall back: a daily 01:30 runs once on 1 November (01:30 EDT), then 01:30 EST', () => {
    expect(occurrences(cron('30 1 * * *'), '2026-10-31T12:00:00Z', tz, 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('fall back: an hourly job runs every real hour through the repeated 01:00', () => {
    expect(occurrences(cron('0 * * * *'), '2026-11-01T04:30:00Z', tz, 3)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T06:00:00.000Z', // 01:00 EST
      '2026-11-01T07:00:00.000Z', // 02:00 EST
    ]);
  });

  it('9:00 on weekdays stays 9:00 local before and after a change', () => {
    const weekdays = cron('0 9 * * 1-5');
    expect(iso(firstRun(weekdays, at('2026-03-05T15:00:00Z'), tz))).toBe(
      '2026-03-06T14:00:00.000Z',
    );
    expect(iso(firstRun(weekdays, at('2026-03-06T15:00:00Z'), tz))).toBe(
      '2026-03-09T13:00:00.000Z',
    );
    expect(iso(firstRun(weekdays, at('2026-10-30T15:00:00Z'), tz))).toBe(
      '2026-11-02T14:00:00.000Z',
    );
  });
});

describe('cron catch-up', () => {
  it('skips missed occurrences instead of replaying them', () => {
    const next = nextRun(cron('0 * * * *'), {
      after: at('2026-01-01T05:10:00Z'),
      anchor: at('2026-01-01T00:00:00Z'),
      timezone: 'UTC',
    });
    expect(iso(next)).toBe('2026-01-01T06:00:00.000Z');
  });

  it('never returns the occurrence it is anchored on, even if the clock went back', () => {
    const anchor = at('2026-01-01T05:00:00Z');
    const next = nextRun(cron('0 * * * *'), { after: anchor - 90_000, anchor, timezone: 'UTC' });
    expect(iso(next)).toBe('2026-01-01T06:00:00.000Z');
  });
});

describe('intervals', () => {
  const hourly: Schedule = { type: 'interval', value: String(3600_000) };
  const anchor = at('2026-01-01T10:00:00Z');
  const next = (after: number, a: number | undefined = anchor) =>
    iso(nextRun(hourly, { after, anchor: a, timezone: 'Europe/Berlin' }));

  it('are anchored to the previous scheduled time, so slow runs cause no drift', () => {
    expect(next(anchor + 4_321)).toBe('2026-01-01T11:00:00.000Z');
    expect(next(anchor + 59 * 60_000)).toBe('2026-01-01T11:00:00.000Z');
  });

  it('skip missed intervals after downtime (no burst)', () => {
    expect(next(at('2026-01-01T13:30:00Z'))).toBe('2026-01-01T14:00:00.000Z');
    expect(next(at('2026-01-01T13:00:00Z'))).toBe('2026-01-01T14:00:00.000Z');
  });

  it('move at least one interval past the anchor when the clock went back', () => {
    expect(next(anchor - 10 * 60_000)).toBe('2026-01-01T11:00:00.000Z');
  });

  it('start one interval from now, and count elapsed time (DST does not stretch them)', () => {
    expect(nextRun(hourly, { after: 1_000, timezone: 'UTC' })).toBe(1_000 + 3600_000);
    const beforeFallBack = at('2026-10-25T00:30:00Z');
    expect(next(beforeFallBack, beforeFallBack)).toBe('2026-10-25T01:30:00.000Z');
  });
});

describe('once', () => {
  const now = at('2026-06-01T00:00:00Z');
  const once = (value: string): Schedule => ({ type: 'once', value });

  it('without an offset means the user time zone', () => {
    expect(iso(firstRun(once('2026-06-02T09:00'), now, 'Europe/Berlin'))).toBe(
      '2026-06-02T07:00:00.000Z',
    );
    expect(iso(firstRun(once('2026-12-02 09:00:30'), now, 'America/New_York'))).toBe(
      '2026-12-02T14:00:30.000Z',
    );
  });

  it('in a spring-forward gap moves forward by the gap; in an overlap takes the earlier', () => {
    expect(iso(parseOnce('2026-03-29T02:30', 'Europe/Berlin'))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(parseOnce('2026-10-25T02:30', 'Europe/Berlin'))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(parseOnce('2026-03-08T02:30', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(iso(parseOnce('2026-11-01T01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('with an offset means exactly that instant, whatever the user time zone', () => {
    const cases: [string, string][] = [
      ['2026-06-02T09:00:00+02:00', '2026-06-02T07:00:00.000Z'],
      ['2026-06-02T09:00+0200', '2026-06-02T07:00:00.000Z'],
      ['2026-06-02T09:00-05', '2026-06-02T14:00:00.000Z'],
      ['2026-06-02T09:00:00Z', '2026-06-02T09:00:00.000Z'],
      ['2026-06-02T09:00:00.250z', '2026-06-02T09:00:00.250Z'],
    ];
    for (const [value, expected] of cases)
      expect(iso(firstRun(once(value), now, 'Asia/Tokyo'))).toBe(expected);
  });

  it('has one occurrence: none after it, none once its time has passed', () => {
    const value = once('2026-06-02T09:00Z');
    const time = at('2026-06-02T09:00:00Z');
    expect(nextRun(value, { after: now, timezone: 'UTC' })).toBe(time);
    expect(nextRun(value, { after: time, anchor: time, timezone: 'UTC' })).toBeUndefined();
    expect(nextRun(value, { after: time + 1, timezone: 'UTC' })).toBeUndefined();
  });
});

describe('zone offsets (Intl, DST-correct)', () => {
  it('follow the zone’s rules at each instant', () => {
    const h = 3600_000;
    expect(zoneOffset(at('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * h);
    expect(zoneOffset(at('2026-01-01T00:00:00Z'), 'Europe/Berlin')).toBe(1 * h);
    expect(zoneOffset(at('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * h);
    expect(zoneOffset(at('2026-01-01T00:00:00Z'), 'America/New_York')).toBe(-5 * h);
    expect(zoneOffset(at('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * h);
    // The instant of the change itself.
    expect(zoneOffset(at('2026-03-29T00:59:59Z'), 'Europe/Berlin')).toBe(1 * h);
    expect(zoneOffset(at('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(2 * h);
  });

  it('map a wall-clock time back to its instant', () => {
    expect(iso(wallTimeToInstant(at('2026-07-01T12:00:00Z'), 'America/New_York'))).toBe(
      '2026-07-01T16:00:00.000Z',
    );
  });
});

describe('invalid schedules say what is wrong', () => {
  const now = at('2026-06-01T00:00:00Z');
  it.each([
    ['cron', '0 9 * *', /has 4 fields; use 5: minute hour/],
    ['cron', '0 0 9 * * *', /has 6 fields; use 5/],
    ['cron', '@daily', /has 1 field; use 5/],
    ['cron', '61 * * * *', /Cron "61 \* \* \* \*" is invalid: .*61/],
    ['cron', '0 25 * * *', /Cron "0 25 \* \* \*" is invalid: .*25/],
    ['cron', '0 0 30 2 *', /Cron "0 0 30 2 \*" is invalid/],
    ['cron', 'a b c d e', /Cron "a b c d e" is invalid/],
    ['interval', '0', /too short: the minimum is 10000 ms/],
    ['interval', '9999', /too short: the minimum is 10000 ms/],
    ['interval', '-5', /whole number of milliseconds/],
    ['interval', '1.5', /whole number of milliseconds/],
    ['interval', 'hourly', /whole number of milliseconds/],
    ['interval', String(400 * 86_400_000), /too long: .*use cron or once/],
    ['once', 'tomorrow 9am', /not a time NanoClaw understands: use ISO 8601/],
    ['once', '2026-12-01', /not a time NanoClaw understands/],
    ['once', '2026-13-01T09:00', /not a real time: month 13 does not exist/],
    ['once', '2026-02-29T09:00', /not a real time: day 29 does not exist in 2026-02/],
    ['once', '2026-06-02T24:00', /not a real time: hour 24 does not exist/],
    ['once', '2026-06-02T09:60', /not a real time: minute 60 does not exist/],
    ['once', '2026-06-02T09:00+25:00', /Offset "\+25:00" is not a UTC offset/],
    ['once', '2020-01-01T00:00', /2020-01-01T00:00 is in the past; pick a future time/],
    ['weekly', 'x', /Unknown schedule type "weekly": use cron, interval or once/],
  ])('%s %j', (type, value, message) => {
    expect(() => firstRun({ type, value } as Schedule, now, 'UTC')).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => firstRun({ type: 'interval', value: '60000' }, now, 'Mars/Olympus')).toThrow(
      'Unknown time zone "Mars/Olympus": use an IANA name like Europe/Berlin.',
    );
  });

  it('accepts what is valid: the minimum interval, a leap day, weekday names', () => {
    expect(firstRun({ type: 'interval', value: '10000' }, now, 'UTC')).toBe(now + 10_000);
    expect(iso(firstRun({ type: 'once', value: '2028-02-29T09:00Z' }, now, 'UTC'))).toBe(
      '2028-02-29T09:00:00.000Z',
    );
    expect(iso(firstRun(cron('0 9 * * MON-FRI'), now, 'UTC'))).toBe('2026-06-01T09:00:00.000Z');
  });
});
