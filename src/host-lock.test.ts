/**
 * The data directory lock over real files (SQLite locks within one process behave as between
 * processes; test/host-lifecycle.test.ts covers two real hosts and kill -9).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HostLockedError,
  acquireHostLock,
  findHost,
  readHostRecord,
  recordPath,
} from './host-lock.js';

describe('host lock', () => {
  let home: string;
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-lock-'));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('is held once; the refusal names the holder; release frees it', () => {
    expect(findHost(home)).toEqual({ running: false });
    const lock = acquireHostLock(home, new Date('2026-01-02T03:04:05Z'));
    lock.publish('http://127.0.0.1:4480');
    const record = { pid: process.pid, startedAt: '2026-01-02T03:04:05.000Z' };
    expect(findHost(home)).toEqual({
      running: true,
      record: { ...record, url: 'http://127.0.0.1:4480' },
    });
    expect(() => acquireHostLock(home, new Date())).toThrow(HostLockedError);
    expect(() => acquireHostLock(home, new Date())).toThrow(
      `NanoClaw is already running on ${home} (process ${process.pid}, running since ` +
        '2026-01-02T03:04:05.000Z). Stop it first (Ctrl-C in its terminal, or kill ',
    );
    lock.release();
    expect(findHost(home)).toEqual({ running: false });
    expect(readHostRecord(home)).toBeUndefined();
    acquireHostLock(home, new Date()).release();
  });

  it('a garbled or stale record is not trusted: the lock alone decides', () => {
    fs.writeFileSync(recordPath(home), JSON.stringify({ pid: 1, startedAt: 'x', url: 'http://x' }));
    expect(findHost(home)).toEqual({ running: false }); // no lock file: a record means nothing
    const lock = acquireHostLock(home, new Date());
    fs.writeFileSync(recordPath(home), '{not json');
    expect(findHost(home)).toEqual({ running: true, record: undefined });
    expect(() => acquireHostLock(home, new Date())).toThrow(
      `NanoClaw is already running on ${home} (another process). Stop it first, or set NANOCLAW_HOME`,
    );
    lock.release();
  });
});
