/**
 * The scheduler with a controllable clock (vitest fake timers) over a real SQLite file:
 * timing, exactly-once claims, mutations on the armed timer, restarts, missed runs, failures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type Db } from '../store/db.js';
import { GroupStore } from '../store/groups.js';
import { TaskStore, type NewTask } from '../store/tasks.js';
import { Scheduler } from './scheduler.js';
import { TaskService } from './service.js';
import type { RunOutcome } from './types.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');
const DAY = 86_400_000;
const main = { runId: 'r', group: { folder: 'main', isMain: true } };

describe('Scheduler', () => {
  let dir: string;
  let dbs: Db[];
  let dispatched: { task: string; at: number; scheduledFor: number }[];
  let groups: Set<string>;
  let schedulers: Scheduler[];
  let logs: { msg: string; reason?: string }[];

  const store = () => {
    const db = openDb(path.join(dir, 'tasks.db'));
    dbs.push(db);
    return new TaskStore(db);
  };
  const logger = () =>
    pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          logs.push(JSON.parse(chunk.toString('utf8')) as { msg: string });
          done();
        },
      }),
    );
  const scheduler = (
    tasks: TaskStore,
    outcome: (signal: AbortSignal) => Promise<RunOutcome> = async () => ({ status: 'success' }),
  ) => {
    const s = new Scheduler({
      tasks,
      timezone: 'UTC',
      now: Date.now,
      timers: { setTimeout, clearTimeout },
      dispatch: async (task, run, signal) => {
        dispatched.push({ task: task.id, at: Date.now(), scheduledFor: run.scheduledFor });
        return outcome(signal);
      },
      groupExists: (folder) => groups.has(folder),
      log: logger(),
    });
    schedulers.push(s);
    return s;
  };
  let seq = 0;
  const task = (overrides: Partial<NewTask> = {}): NewTask => ({
    id: `t${++seq}`,
    groupFolder: 'main',
    prompt: 'do it',
    scheduleType: 'interval',
    scheduleValue: String(3600_000),
    contextMode: 'isolated',
    script: undefined,
    missedPolicy: 'run-once',
    nextRun: T0 + 5000,
    ...overrides,
  });
  const statuses = (tasks: TaskStore, id: string) =>
    tasks
      .runs(id, 10)
      .reverse()
      .map((r) => r.status);

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-sched-'));
    dbs = [];
    dispatched = [];
    schedulers = [];
    logs = [];
    groups = new Set(['main', 'family']);
  });

  afterEach(async () => {
    for (const s of schedulers) await s.stop();
    for (const db of dbs) if (db.open) db.close();
    vi.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fires a due job within its second, and not before', async () => {
    const tasks = store();
    const once = {
      scheduleType: 'once' as const,
      scheduleValue: new Date(T0 + 5000).toISOString(),
    };
    const t = tasks.create(task(once), Date.now());
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(4999);
    expect(dispatched).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(dispatched).toEqual([{ task: t.id, at: T0 + 5000, scheduledFor: T0 + 5000 }]);
    expect(tasks.get(t.id)?.status).toBe('completed');
    expect(statuses(tasks, t.id)).toEqual(['success']);
  });

  it('two schedulers on one database file, both firing: exactly one run per occurrence', async () => {
    const a = store();
    const b = store();
    const t = a.create(task({ scheduleValue: '60000', nextRun: T0 + 1000 }), Date.now());
    scheduler(a).start();
    scheduler(b).start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched.map((d) => d.scheduledFor)).toEqual([T0 + 1000, T0 + 61_000]);
    expect(statuses(a, t.id)).toEqual(['success', 'success']);
  });

  it('a slow run does not hold up the schedule; an overlapping occurrence is logged as skipped', async () => {
    const tasks = store();
    const release: (() => void)[] = [];
    const slow = () =>
      new Promise<RunOutcome>((resolve) => release.push(() => resolve({ status: 'success' })));
    const t = tasks.create(task({ scheduleValue: '10000', nextRun: T0 + 1000 }), Date.now());
    scheduler(tasks, slow).start();
    await vi.advanceTimersByTimeAsync(11_000);
    // The second occurrence was claimed on time and the next one computed, but not run twice.
    expect(tasks.get(t.id)?.nextRun).toBe(T0 + 21_000);
    expect(statuses(tasks, t.id)).toEqual(['running', 'skipped']);
    expect(tasks.runs(t.id, 1)[0]?.error).toContain('previous run of this task was still running');
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(dispatched.map((d) => d.scheduledFor)).toEqual([T0 + 1000, T0 + 21_000]);
    release.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
    expect(statuses(tasks, t.id)).toEqual(['success', 'skipped', 'success']);
  });

  it('pause, resume, update, run-now and cancel through the service take effect on the armed timer', async () => {
    const tasks = store();
    const groupStore = new GroupStore(dbs[0] as Db);
    groupStore.ensure({ folder: 'main', name: 'main', isMain: true }, new Date());
    const s = scheduler(tasks);
    const service = new TaskService({
      tasks,
      groups: groupStore,
      timezone: 'UTC',
      now: Date.now,
      changed: () => s.changed(),
    });
    s.start();
    const body = { prompt: 'p', schedule_type: 'interval' as const, schedule_value: '60000' };
    const { task: a } = service.schedule(main, body);
    service.pause(main, { task_id: a.id });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(dispatched).toHaveLength(0);
    service.resume(main, { task_id: a.id }); // next occurrence from now, no burst
    await vi.advanceTimersByTimeAsync(59_999);
    expect(dispatched).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(dispatched.map((d) => d.at - T0)).toEqual([180_000]);

    service.update(main, { task_id: a.id, schedule_value: '20000' });
    await vi.advanceTimersByTimeAsync(20_000);
    expect(dispatched.map((d) => d.at - T0)).toEqual([180_000, 200_000]);

    // Run now in the very millisecond the last run was scheduled for: still a new occurrence.
    service.runNow(main, { task_id: a.id });
    await vi.advanceTimersByTimeAsync(1);
    expect(dispatched.map((d) => d.at - T0)).toEqual([180_000, 200_000, 200_001]);

    service.cancel(main, { task_id: a.id });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(dispatched).toHaveLength(3);
  });

  it('pauses a task whose group is gone, with a logged reason, and never retries it', async () => {
    const tasks = store();
    const t = tasks.create(
      task({ groupFolder: 'ghost', scheduleValue: '10000', nextRun: T0 + 1000 }),
      Date.now(),
    );
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(dispatched).toHaveLength(0);
    expect(tasks.get(t.id)).toMatchObject({
      status: 'paused',
      pausedReason: 'group ghost no longer exists',
    });
    expect(logs.filter((l) => l.msg === 'task paused')).toEqual([
      expect.objectContaining({ reason: 'group ghost no longer exists' }),
    ]);
    expect(tasks.runs(t.id, 5)).toEqual([]);
  });

  it('restart after a kill mid-run: the interrupted occurrence is not run again', async () => {
    const tasks = store();
    const t = tasks.create(task({ nextRun: T0 + 1000 }), Date.now());
    scheduler(tasks, () => new Promise<RunOutcome>(() => {})).start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched).toHaveLength(1);
    // The host dies mid-run (no stop): its timer is gone, its run row stays `running`.
    vi.clearAllTimers();
    schedulers.length = 0;
    await vi.advanceTimersByTimeAsync(5000);
    scheduler(store()).start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched).toHaveLength(1);
    expect(statuses(tasks, t.id)).toEqual(['error']);
    expect(tasks.runs(t.id, 1)[0]?.error).toBe('the host stopped during this run');
    expect(tasks.get(t.id)?.nextRun).toBe(T0 + 1000 + 3600_000);
  });

  it('a job missed while down runs once at start-up (run-once) or is logged as skipped (skip)', async () => {
    const tasks = store();
    const missed = T0 - 5 * 3600_000;
    const runOnce = tasks.create(task({ nextRun: missed }), Date.now());
    const skip = tasks.create(task({ missedPolicy: 'skip', nextRun: missed }), Date.now());
    const justDue = tasks.create(task({ missedPolicy: 'skip', nextRun: T0 - 10_000 }), Date.now());
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(0);
    expect(dispatched.map((d) => [d.task, d.scheduledFor])).toEqual([
      [runOnce.id, missed],
      [justDue.id, T0 - 10_000], // 10 s late is not "missed": it just runs
    ]);
    expect(tasks.get(runOnce.id)?.nextRun).toBe(T0 + 3600_000);
    expect(statuses(tasks, skip.id)).toEqual(['skipped']);
    expect(tasks.runs(skip.id, 1)[0]?.error).toContain('missed while NanoClaw was not running');
    expect(tasks.get(skip.id)?.nextRun).toBe(T0 + 3600_000);
    await vi.advanceTimersByTimeAsync(3600_000);
    expect(dispatched.filter((d) => d.task === skip.id)).toHaveLength(1);
    expect(dispatched.filter((d) => d.task === runOnce.id)).toHaveLength(2);
  });

  it('sleeps past setTimeout’s 24.8-day limit and still fires on time', async () => {
    const tasks = store();
    const due = T0 + 25 * DAY;
    const once = { scheduleType: 'once' as const, scheduleValue: new Date(due).toISOString() };
    tasks.create(task({ ...once, nextRun: due }), Date.now());
    scheduler(tasks).start();
    await vi.advanceTimersByTimeAsync(25 * DAY - 1);
    expect(dispatched).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(dispatched.map((d) => d.at)).toEqual([due]);
  });

  it('handles wall-clock jumps: forward runs the job at the next wake, backward never early', async () => {
    const tasks = store();
    tasks.create(task({ nextRun: T0 + 30 * 60_000 }), Date.now());
    scheduler(tasks).start();
    vi.setSystemTime(T0 + 2 * 3600_000); // e.g. a laptop resumed: timers did not advance
    await vi.advanceTimersByTimeAsync(60_000);
    expect(dispatched.map((d) => d.scheduledFor)).toEqual([T0 + 30 * 60_000]);

    const later = tasks.create(task({ nextRun: Date.now() + 120_000 }), Date.now());
    schedulers[0]?.changed();
    const dueAt = Date.now() + 120_000;
    vi.setSystemTime(Date.now() - 3600_000); // the clock is stepped back an hour
    await vi.advanceTimersByTimeAsync(3600_000 + 119_000);
    expect(dispatched.filter((d) => d.task === later.id)).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(dispatched.filter((d) => d.task === later.id).map((d) => d.at)).toEqual([dueAt]);
  });

  it('stop aborts running dispatches and waits until their runs are logged', async () => {
    const tasks = store();
    const t = tasks.create(task({ nextRun: T0 + 1000 }), Date.now());
    const s = scheduler(
      tasks,
      (signal) =>
        new Promise<RunOutcome>((resolve) =>
          signal.addEventListener('abort', () => resolve({ status: 'error', error: 'aborted' })),
        ),
    );
    s.changed(); // before start: nothing is armed
    await vi.advanceTimersByTimeAsync(2000);
    expect(dispatched).toHaveLength(0);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    await s.stop();
    expect(statuses(tasks, t.id)).toEqual(['error']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a throwing dispatch is logged as an error run; a broken database never crashes the timer', async () => {
    const tasks = store();
    const t = tasks.create(task({ nextRun: T0 + 1000 }), Date.now());
    scheduler(tasks, () => Promise.reject(new Error('sandbox exploded'))).start();
    await vi.advanceTimersByTimeAsync(1000);
    expect(tasks.runs(t.id, 1)[0]).toMatchObject({ status: 'error', error: 'sandbox exploded' });
    (dbs[0] as Db).close();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    expect(logs.some((l) => l.msg === 'could not read due tasks')).toBe(true);
  });
});
