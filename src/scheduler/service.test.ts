/**
 * Task operations as the agent tools and the CLI use them, over a real SQLite file: who may
 * see and touch which task, and clear errors for bad input.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore } from '../store/groups.js';
import { TaskStore } from '../store/tasks.js';
import { TaskService } from './service.js';

const main = { runId: 'r1', group: { folder: 'main', isMain: true } };
const family = { runId: 'r2', group: { folder: 'family', isMain: false } };
const work = { runId: 'r3', group: { folder: 'work', isMain: false } };
const NOW = Date.parse('2026-06-01T09:00:00Z');
const daily = { prompt: 'digest', schedule_type: 'cron' as const, schedule_value: '0 9 * * *' };

describe('TaskService', () => {
  let db: Db;
  let service: TaskService;
  let changes = 0;

  beforeEach(() => {
    db = openDb(':memory:');
    const groups = new GroupStore(db);
    for (const g of ['main', 'family', 'work'])
      groups.ensure({ folder: g, name: g, isMain: g === 'main' }, new Date());
    changes = 0;
    service = new TaskService({
      tasks: new TaskStore(db),
      groups,
      timezone: 'Europe/Berlin',
      now: () => NOW,
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
});
