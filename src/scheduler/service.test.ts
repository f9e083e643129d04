/**
 * Task operations as the agent tools and the CLI use them, over a real SQLite file: who may
 * see and touch which task, and clear errors for bad input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors.js';
import { TASK_SCHEMAS } from '../shared/task-api.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore } from '../store/groups.js';
import { TaskStore } from '../store/tasks.js';
import { MAX_OPEN_TASKS_PER_GROUP, TaskService } from './service.js';

const main = { runId: 'r1', group: { folder: 'main', isMain: true } };
const family = { runId: 'r2', group: { folder: 'family', isMain: false } };
const work = { runId: 'r3', group: { folder: 'work', isMain: false } };
const NOW = Date.parse('2026-06-01T09:00:00Z');
const daily = { prompt: 'digest', schedule_type: 'cron' as const, schedule_value: '0 9 * * *' };

describe('TaskService', () => {
  let db: Db;
  let service: TaskService;
  let tasks: TaskStore;
  let now = NOW;
  let changes = 0;

  beforeEach(() => {
    db = openDb(':memory:');
    const groups = new GroupStore(db);
    for (const g of ['main', 'family', 'work'])
      groups.ensure({ folder: g, name: g, isMain: g === 'main' }, new Date());
    changes = 0;
    now = NOW;
    tasks = new TaskStore(db);
    service = new TaskService({
      tasks,
      groups,
      timezone: 'Europe/Berlin',
      now: () => now,
      changed: () => changes++,
    });
  });
  afterEach(() => db.close());

  it('schedules in the caller’s own group, in the user time zone, and re-arms', () => {
    const { task } = service.schedule(family, daily);
    expect(task).toMatchObject({
      group: 'family',
      status: 'active',
      contextMode: 'isolated',
      nextRun: '2026-06-02T07:00:00.000Z',
    });
    expect(changes).toBe(1);
  });

  it('a non-main group cannot see or touch another group’s tasks', () => {
    const { task } = service.schedule(work, daily);
    expect(() => service.schedule(family, { ...daily, group_folder: 'work' })).toThrow(
      ForbiddenError,
    );
    expect(() => service.schedule(family, { ...daily, group_folder: 'main' })).toThrow(
      ForbiddenError,
    );
    expect(service.list(family, {}).tasks).toEqual([]);
    expect(() => service.list(family, { group_folder: 'work' })).toThrow(ForbiddenError);
    for (const op of ['get', 'pause', 'resume', 'cancel', 'runNow'] as const) {
      expect(() => service[op](family, { task_id: task.id })).toThrow(`No task ${task.id}.`);
    }
    expect(() => service.update(family, { task_id: task.id, prompt: 'x' })).toThrow(
      `No task ${task.id}.`,
    );
    expect(service.get(work, { task_id: task.id }).task.status).toBe('active');
  });

  it('main may act on any group', () => {
    const { task } = service.schedule(main, { ...daily, group_folder: 'work' });
    expect(task.group).toBe('work');
    expect(service.list(main, {}).tasks).toHaveLength(1);
    expect(service.pause(main, { task_id: task.id }).task.status).toBe('paused');
    expect(service.resume(main, { task_id: task.id }).task.status).toBe('active');
    expect(service.cancel(main, { task_id: task.id })).toEqual({ cancelled: task.id });
    expect(service.list(main, {}).tasks).toHaveLength(0);
  });

  it('update reschedules; run now sets the next run to now; paused tasks must be resumed first', () => {
    const { task } = service.schedule(family, daily);
    const updated = service.update(family, {
      task_id: task.id,
      schedule_type: 'interval',
      schedule_value: '3600000',
    });
    expect(updated.task.nextRun).toBe(new Date(NOW + 3600_000).toISOString());
    expect(service.runNow(family, { task_id: task.id }).task.nextRun).toBe(
      new Date(NOW).toISOString(),
    );
    service.pause(family, { task_id: task.id });
    expect(() => service.runNow(family, { task_id: task.id })).toThrow(/paused: resume it first/);
  });

  it('rejects bad schedules and unknown groups with clear messages', () => {
    expect(() => service.schedule(main, { ...daily, schedule_value: 'every day' })).toThrow(
      /use 5/,
    );
    expect(() =>
      service.schedule(main, {
        ...daily,
        schedule_type: 'once',
        schedule_value: '2020-01-01T00:00',
      }),
    ).toThrow(/in the past/);
    expect(() => service.schedule(main, { ...daily, group_folder: 'nope' })).toThrow(
      'No group "nope".',
    );
  });
  it('a non-main group may name its own folder; main’s list can be narrowed to one group', () => {
    service.schedule(family, { ...daily, group_folder: 'family' });
    service.schedule(work, daily);
    expect(service.list(main, { group_folder: 'family' }).tasks.map((t) => t.group)).toEqual([
      'family',
    ]);
    expect(service.list(family, { group_folder: 'family' }).tasks).toHaveLength(1);
  });

  it('resume: no-op when active; a once task that passed while paused runs now or asks for a new time', () => {
    const once = {
      prompt: 'p',
      schedule_type: 'once' as const,
      schedule_value: '2026-06-01T12:00',
    };
    const runOnce = service.schedule(family, once).task;
    const skip = service.schedule(family, { ...once, missed_policy: 'skip' }).task;
    expect(service.resume(family, { task_id: runOnce.id }).task.nextRun).toBe(runOnce.nextRun);
    service.pause(family, { task_id: runOnce.id });
    service.pause(family, { task_id: skip.id });
    now = NOW + 6 * 3600_000;
    expect(service.resume(family, { task_id: runOnce.id }).task).toMatchObject({
      status: 'active',
      nextRun: new Date(now).toISOString(),
      pausedReason: null,
    });
    expect(() => service.resume(family, { task_id: skip.id })).toThrow(
      /passed while it was paused .*give it a new time with update_task/,
    );
  });

  it('a completed task cannot be changed; a cancelled one is gone', () => {
    const { task } = service.schedule(family, daily);
    tasks.update(task.id, { status: 'completed', nextRun: undefined }, NOW);
    for (const op of ['pause', 'resume', 'runNow'] as const) {
      expect(() => service[op](family, { task_id: task.id })).toThrow(/has completed/);
    }
    expect(() => service.update(family, { task_id: task.id, prompt: 'again' })).toThrow(
      /has completed; schedule a new one/,
    );
    service.cancel(family, { task_id: task.id });
    expect(() => service.get(family, { task_id: task.id })).toThrow(`No task ${task.id}.`);
  });

  it('caps the open tasks of one group', () => {
    for (let i = 0; i < MAX_OPEN_TASKS_PER_GROUP; i++) service.schedule(family, daily);
    expect(() => service.schedule(family, daily)).toThrow(
      `Group family already has ${MAX_OPEN_TASKS_PER_GROUP} tasks`,
    );
    expect(service.schedule(work, daily).task.group).toBe('work');
  });

  it('tool bodies are checked strictly: unknown fields and empty values are refused', () => {
    const schedule = TASK_SCHEMAS.schedule_task;
    expect(schedule.safeParse({ ...daily, is_main: true }).success).toBe(false);
    expect(schedule.safeParse({ ...daily, prompt: '' }).success).toBe(false);
    expect(schedule.safeParse({ ...daily, schedule_type: 'weekly' }).success).toBe(false);
    expect(schedule.safeParse({ ...daily, context_mode: 'shared' }).success).toBe(false);
    expect(TASK_SCHEMAS.get_task.safeParse({}).success).toBe(false);
    expect(schedule.parse(daily)).toEqual(daily);
  });
});
