/**
 * `nanoclaw logs` reading real log files written by the host's own RotatingFile: rotated files
 * in order, filters, and follow mode across a rotation, ended by its AbortSignal.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingFile } from '../log-file.js';
import { followLog, logFiles, matches, parseSince, readLogs } from './log-read.js';

const line = (level: number, msg: string, extra: Record<string, unknown> = {}, time = 1000) =>
  `${JSON.stringify({ level, time, msg, ...extra })}\n`;

const dirs: string[] = [];
function tempLogs(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-logs-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function writer(dir: string, maxBytes: number): RotatingFile {
  return new RotatingFile({
    path: path.join(dir, 'nanoclaw.log'),
    maxBytes,
    files: 3,
    onError: (m) => {
      throw new Error(m);
    },
  });
}

describe('reading the log files', () => {
  it('reads rotated files oldest first, then the current one; -n keeps the newest', () => {
    const dir = tempLogs();
    const file = writer(dir, 80); // two 40-byte lines per file
    for (let i = 1; i <= 6; i++) file.write(line(30, `line ${i}`));
    file.close();
    expect(logFiles(dir).map((f) => path.basename(f))).toEqual([
      'nanoclaw.log.2',
      'nanoclaw.log.1',
      'nanoclaw.log',
    ]);
    const all = readLogs(dir, {}, undefined).map((l) => JSON.parse(l).msg);
    expect(all).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6']);
    expect(readLogs(dir, {}, 2).map((l) => JSON.parse(l).msg)).toEqual(['line 5', 'line 6']);
  });

  it('filters by level, group and time; a non-JSON line shows only unfiltered', () => {
    expect(matches(line(40, 'w'), { level: 40 })).toBe(true);
    expect(matches(line(30, 'i'), { level: 40 })).toBe(false);
    expect(matches(line(30, 'g', { group: 'family' }), { group: 'family' })).toBe(true);
    expect(matches(line(30, 'g', { group: 'main' }), { group: 'family' })).toBe(false);
    expect(matches(line(30, 't', {}, 5000), { since: 4000 })).toBe(true);
    expect(matches(line(30, 't', {}, 3000), { since: 4000 })).toBe(false);
    expect(matches('not json', {})).toBe(true);
    expect(matches('not json', { level: 10 })).toBe(false);
    expect(parseSince('10m', 3_600_000)).toBe(3_000_000);
    expect(() => parseSince('yesterday-ish', 0)).toThrow(/not a time/);
  });
});

describe('follow mode', () => {
  it('prints appended lines across a rotation and ends when aborted', async () => {
    const dir = tempLogs();
    const file = writer(dir, 150);
    file.write(line(30, 'before'));
    const seen: string[] = [];
    const controller = new AbortController();
    const following = followLog(
      dir,
      (l) => seen.push(JSON.parse(l).msg as string),
      controller.signal,
    );
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    file.write(line(30, 'one'));
    await waitFor(1);
    // Lines are about 40 bytes: these rotate the file at least once.
    for (const m of ['two', 'three', 'four', 'five']) file.write(line(30, m));
    await waitFor(5);
    controller.abort();
    await following;
    file.close();
    expect(seen).toEqual(['one', 'two', 'three', 'four', 'five']);
    expect(fs.existsSync(path.join(dir, 'nanoclaw.log.1'))).toBe(true);
  });
});
