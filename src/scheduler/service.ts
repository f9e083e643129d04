/**
 * The operations behind the task tools and the `nanoclaw tasks` CLI. Every operation checks the
 * caller (from its capability) first: a group acts on its own tasks, main on any. Another
 * group's task is reported as not found, so its existence does not leak.
 */
import crypto from 'node:crypto';
import { ForbiddenError, UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { canActOnGroup } from '../security/authz.js';
import type { TaskBody } from '../shared/task-api.js';
import type { GroupStore } from '../store/groups.js';
import type { Task, TaskRun, TaskStore } from '../store/tasks.js';
import { firstRun, parseOnce, scheduleOf } from './schedule.js';

export interface TaskServiceDeps {
  tasks: TaskStore;
  groups: GroupStore;
  timezone: string;
  now(): number;
  /** Re-arms the scheduler after a change. */
  changed(): void;
}

/** Open (active or paused) tasks one group may have: an agent cannot flood the scheduler. */
export const MAX_OPEN_TASKS_PER_GROUP = 100;

const iso = (ts: number | undefined) => (ts === undefined ? null : new Date(ts).toISOString());

export function taskView(task: Task) {
  return {
    id: task.id,
    group: task.groupFolder,
    prompt: task.prompt,
    schedule: { type: task.scheduleType, value: task.scheduleValue },
    contextMode: task.contextMode,
    script: task.script ?? null,
    missedPolicy: task.missedPolicy,
    status: task.status,
    nextRun: iso(task.nextRun),
    pausedReason: task.pausedReason ?? null,
  };
}

export function runView(run: TaskRun) {
  return {
    scheduledFor: iso(run.scheduledFor),
    startedAt: iso(run.startedAt),
    durationMs: run.durationMs ?? null,
    status: run.status,
    result: run.result ?? null,
    error: run.error ?? null,
  };
}

export class TaskService {
  constructor(private readonly deps: TaskServiceDeps) {}

  schedule(caller: RunContext, body: TaskBody<'schedule_task'>) {
    const folder = this.targetGroup(caller, body.group_folder);
    if (this.deps.tasks.countOpen(folder) >= MAX_OPEN_TASKS_PER_GROUP) {
      throw new UserError(
        `Group ${folder} already has ${MAX_OPEN_TASKS_PER_GROUP} tasks: cancel or update one instead.`,
      );
    }
    const now = this.deps.now();
    const nextRun = firstRun(
      { type: body.schedule_type, value: body.schedule_value },
      now,
      this.deps.timezone,
    );
    const task = this.deps.tasks.create(
      {
        id: `task-${crypto.randomBytes(4).toString('hex')}`,
        groupFolder: folder,
        prompt: body.prompt,
        scheduleType: body.schedule_type,
        scheduleValue: body.schedule_value,
        contextMode: body.context_mode ?? 'isolated',
        script: body.script,
        missedPolicy: body.missed_policy ?? 'run-once',
        nextRun,
      },
      now,
    );
    this.deps.changed();
    return { task: taskView(task) };
  }

  list(caller: RunContext, body: TaskBody<'list_tasks'>) {
    const folder =
      caller.group.isMain && !body.group_folder
        ? undefined
        : this.targetGroup(caller, body.group_folder);
    return { tasks: this.deps.tasks.list(folder).map(taskView) };
  }

  get(caller: RunContext, body: TaskBody<'get_task'>) {
    const task = this.visible(caller, body.task_id);
    return { task: taskView(task), runs: this.deps.tasks.runs(task.id, 10).map(runView) };
  }

  update(caller: RunContext, body: TaskBody<'update_task'>) {
    const task = this.open(caller, body.task_id);
    const now = this.deps.now();
    const type = body.schedule_type ?? task.scheduleType;
    const value = body.schedule_value ?? task.scheduleValue;
    const rescheduled = body.schedule_type !== undefined || body.schedule_value !== undefined;
    this.deps.tasks.update(
      task.id,
      {
        ...(body.prompt ? { prompt: body.prompt } : {}),
        ...(body.context_mode ? { contextMode: body.context_mode } : {}),
        ...(body.script !== undefined ? { script: body.script || undefined } : {}),
        ...(rescheduled
          ? {
              scheduleType: type,
              scheduleValue: value,
              nextRun: firstRun({ type, value }, now, this.deps.timezone),
            }
          : {}),
      },
      now,
    );
    this.deps.changed();
    return { task: taskView(this.visible(caller, task.id)) };
  }

  pause(caller: RunContext, body: TaskBody<'pause_task'>) {
    const task = this.open(caller, body.task_id);
    this.deps.tasks.update(
      task.id,
      { status: 'paused', pausedReason: 'paused by request' },
      this.deps.now(),
    );
    this.deps.changed();
    return { task: taskView(this.visible(caller, task.id)) };
  }

  resume(caller: RunContext, body: TaskBody<'resume_task'>) {
    const task = this.open(caller, body.task_id);
    if (task.status === 'active') return { task: taskView(task) };
    const now = this.deps.now();
    const nextRun = this.resumeAt(task, now);
    this.deps.tasks.update(task.id, { status: 'active', pausedReason: undefined, nextRun }, now);
    this.deps.changed();
    return { task: taskView(this.visible(caller, task.id)) };
  }

  /**
   * A paused task resumes at its next occurrence from now, not with a burst of what it missed.
   * A `once` task whose time passed while paused is treated like a missed run: it runs now
   * (policy run-once), or the caller is told to give it a new time (policy skip).
   */
  private resumeAt(task: Task, now: number): number {
    if (task.nextRun !== undefined && task.nextRun > now) return task.nextRun;
    if (task.scheduleType !== 'once') return firstRun(scheduleOf(task), now, this.deps.timezone);
    if (task.missedPolicy === 'run-once') return now;
    const at = new Date(parseOnce(task.scheduleValue, this.deps.timezone)).toISOString();
    throw new UserError(
      `Task ${task.id} was due at ${at}, which passed while it was paused (missed policy: skip); ` +
        'give it a new time with update_task.',
    );
  }

  cancel(caller: RunContext, body: TaskBody<'cancel_task'>) {
    const task = this.visible(caller, body.task_id);
    this.deps.tasks.update(task.id, { status: 'cancelled', nextRun: undefined }, this.deps.now());
    this.deps.changed();
    return { cancelled: task.id };
  }

  runNow(caller: RunContext, body: TaskBody<'run_task_now'>) {
    const task = this.open(caller, body.task_id);
    if (task.status !== 'active')
      throw new UserError(`Task ${task.id} is paused: resume it first.`);
    const now = this.deps.now();
    // An occurrence is unique per task: never reuse the time of a run already logged.
    const last = this.deps.tasks.runs(task.id, 1)[0]?.scheduledFor;
    const at = last === undefined ? now : Math.max(now, last + 1);
    this.deps.tasks.update(task.id, { nextRun: at }, now);
    this.deps.changed();
    return { task: taskView(this.visible(caller, task.id)) };
  }

  private targetGroup(caller: RunContext, folder: string | undefined): string {
    const target = folder ?? caller.group.folder;
    const decision = canActOnGroup(caller, target);
    if (!decision.allow) throw new ForbiddenError(decision.reason);
    if (!this.deps.groups.get(target)) throw new UserError(`No group "${target}".`);
    return target;
  }

  private visible(caller: RunContext, id: string): Task {
    const task = this.deps.tasks.get(id);
    if (!task || task.status === 'cancelled' || !canActOnGroup(caller, task.groupFolder).allow) {
      throw new UserError(`No task ${id}.`);
    }
    return task;
  }

  /** A task that can still run (not completed or cancelled). */
  private open(caller: RunContext, id: string): Task {
    const task = this.visible(caller, id);
    if (task.status === 'completed')
      throw new UserError(`Task ${id} has completed; schedule a new one.`);
    return task;
  }
}
