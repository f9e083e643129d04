/**
 * The scheduler with a controllable clock (vitest fake timers) over a real SQLite file:
 * timing, exactly-once claims, mutations on the armed timer, restarts and missed runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { openDb, type Db } from '../store/db.js';
import { TaskStore, type NewTask, type Task } from '../store/tasks.js';
import { Scheduler, type RunOutcome } from './scheduler.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');

describe('Scheduler', () => {
  let dir: string;
  let dbs: Db[];
  let dispatched: { task: string; at: number; scheduledFor: number }[];
  let groups: Set<string>;
  let schedulers: Scheduler[];

  const store = () => {
    const db = openDb(path.join(dir, 'tasks.db'));
    dbs.push(db);
    return new TaskStore(db);
  };
  const scheduler = (
    tasks: TaskStore,
    outcome: () => Promise<RunOutcome> = async () => ({ status: 'success' }),
  ) => {
    const s = new Scheduler({
      tasks,
      timezone: 'UTC',
      now: Date.now,
      timers: { setTimeout, clearTimeout },
      dispatch: async (task: Task, run) => {
        dispatched.push({ task: task.id, at: Date.now(), scheduledFor: run.scheduledFor });
        return outcome();
      },
      groupExists: (folder) => groups.has(folder),
      log: silentLogger(),
    });
    schedulers.push(s);
    return s;
  };
  const task = (overrides: Partial<NewTask> = {}): NewTask => ({
    id: `t${Math.random().toString(16).slice(2, 8)}`,
    groupFolder: 'main',
    prompt: 'do it',
    scheduleType: 'once',
    scheduleValue: '2026-06-01T09:00:05Z',
    contextMode: 'isolated',
    script: undefined,
    missedPolicy: 'run-once',
    nextRun: T0 + 5000,
    ...overrides,
  });

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-sched-'));
    dbs = [];
    dispatched = [];
    schedulers = [];
    groups = new Set(['main', 'family']);
  });

  afterEach(async () => {
    for (const s of schedulers) await s.stop();
    for (const db of dbs) db.close();
    vi.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires a due job within its second, and only then', async () => {
    const tasks = store();
    const t = tasks.create(task(), Date.now());
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(4999);
    expect(dispatched).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(dispatched).toEqual([{ task: t.id, at: T0 + 5000, scheduledFor: T0 + 5000 }]);
    expect(tasks.get(t.id)?.status).toBe('completed');
    expect(tasks.runs(t.id, 5).map((r) => r.status)).toEqual(['success']);
  });

  it('two schedulers on one database (overlapping ticks) produce exactly one run', async () => {
    const a = store();
    const b = store();
    const t = a.create(
      task({ scheduleType: 'interval', scheduleValue: '60000', nextRun: T0 + 1000 }),
      Date.now(),
    );
    scheduler(a).start();
    scheduler(b).start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched.map((d) => d.scheduledFor)).toEqual([T0 + 1000, T0 + 61_000]);
    expect(a.runs(t.id, 10)).toHaveLength(2);
  });

  it('a slow run does not block the next occurrence from being computed', async () => {
    const tasks = store();
    const pending: (() => void)[] = [];
    const slow = () =>
      new Promise<RunOutcome>((resolve) => pending.push(() => resolve({ status: 'success' })));
    tasks.create(
      task({ scheduleType: 'interval', scheduleValue: '10000', nextRun: T0 + 1000 }),
      Date.now(),
    );
    scheduler(tasks, slow).start();
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dispatched.map((d) => d.scheduledFor)).toEqual([T0 + 1000, T0 + 11_000]);
    for (const release of pending) release();
  });

  it('pause, resume, cancel and update take effect on the armed timer', async () => {
    const tasks = store();
    const s = scheduler(tasks);
    const t = tasks.create(task({ nextRun: T0 + 10_000 }), Date.now());
    s.start();
    tasks.update(t.id, { status: 'paused' }, Date.now());
    s.changed();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(dispatched).toHaveLength(0);
    tasks.update(t.id, { status: 'active', nextRun: Date.now() + 3000 }, Date.now());
    s.changed();
    await vi.advanceTimersByTimeAsync(3000);
    expect(dispatched).toHaveLength(1);

    const u = tasks.create(task({ nextRun: Date.now() + 50_000 }), Date.now());
    s.changed();
    tasks.update(u.id, { nextRun: Date.now() + 2000 }, Date.now());
    s.changed();
    await vi.advanceTimersByTimeAsync(2000);
    expect(dispatched.map((d) => d.task)).toEqual([t.id, u.id]);

    const c = tasks.create(task({ nextRun: Date.now() + 1000 }), Date.now());
    s.changed();
    tasks.update(c.id, { status: 'cancelled' }, Date.now());
    s.changed();
    await vi.advanceTimersByTimeAsync(5000);
    expect(dispatched).toHaveLength(2);
  });

  it('pauses a task whose group is gone, with a reason, and never retries it', async () => {
    const tasks = store();
    const t = tasks.create(
      task({
        groupFolder: 'ghost',
        scheduleType: 'interval',
        scheduleValue: '10000',
        nextRun: T0 + 1000,
      }),
      Date.now(),
    );
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched).toHaveLength(0);
    expect(tasks.get(t.id)).toMatchObject({
      status: 'paused',
      pausedReason: 'group ghost no longer exists',
    });
  });

  it('restart during a run: the interrupted occurrence is not run again', async () => {
    const tasks = store();
    const t = tasks.create(
      task({ scheduleType: 'interval', scheduleValue: '3600000', nextRun: T0 + 1000 }),
      Date.now(),
    );
    const first = scheduler(tasks, () => new Promise<RunOutcome>(() => {}));
    first.start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched).toHaveLength(1);
    // The host dies mid-run (no stop); a new host starts on the same database.
    schedulers.length = 0;
    await vi.advanceTimersByTimeAsync(5000);
    scheduler(store()).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched).toHaveLength(1);
    expect(tasks.runs(t.id, 5).map((r) => r.status)).toEqual(['error']);
    expect(tasks.runs(t.id, 5)[0]?.error).toContain('host stopped');
  });

  it('a job missed while down runs once at start-up (run-once) or is skipped (skip)', async () => {
    const tasks = store();
    const hourly = { scheduleType: 'interval' as const, scheduleValue: '3600000' };
    const runOnce = tasks.create(task({ ...hourly, nextRun: T0 - 5 * 3600_000 }), Date.now());
    const skip = tasks.create(
      task({ ...hourly, missedPolicy: 'skip', nextRun: T0 - 5 * 3600_000 }),
      Date.now(),
    );
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dispatched.map((d) => d.task)).toEqual([runOnce.id]);
    expect(tasks.get(runOnce.id)?.nextRun).toBe(T0 + 3600_000);
    expect(tasks.runs(skip.id, 5).map((r) => r.status)).toEqual(['skipped']);
    expect(tasks.get(skip.id)?.nextRun).toBe(T0 + 3600_000);
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(dispatched.map((d) => d.task).sort()).toEqual([runOnce.id, runOnce.id, skip.id].sort());
  });
});
