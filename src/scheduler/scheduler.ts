/**
 * The scheduler: one timer armed for the earliest due task (no polling sweep), an atomic claim
 * in SQLite before each dispatch, runs that never block the timer, and missed-run handling at
 * start-up. A safety re-arm every minute picks up tasks written by another process (the CLI).
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Timers } from '../conversation/queue.js';
import type { Task, TaskStore } from '../store/tasks.js';
import { followingRun } from './schedule.js';

export interface RunOutcome {
  status: 'success' | 'error' | 'skipped';
  result?: string;
  error?: string;
}

export interface SchedulerDeps {
  tasks: TaskStore;
  timezone: string;
  now(): number;
  timers: Timers;
  /** Runs one claimed occurrence (a sandboxed agent run); must not throw. */
  dispatch(
    task: Task,
    run: { id: number; scheduledFor: number },
    signal: AbortSignal,
  ): Promise<RunOutcome>;
  groupExists(folder: string): boolean;
  log: Logger;
}

/** Longest single sleep: setTimeout overflows past ~24.8 days, and clocks can jump. */
const MAX_SLEEP_MS = 60_000;

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly deps: SchedulerDeps) {}

  /** Handles what was missed while the host was down, then arms the timer. */
  start(): void {
    const now = this.deps.now();
    const abandoned = this.deps.tasks.abandonRunning(now);
    if (abandoned > 0)
      this.deps.log.warn({ abandoned }, 'task runs interrupted by a host stop (not re-run)');
    for (const task of this.deps.tasks.due(now)) {
      if (task.missedPolicy !== 'skip' || task.nextRun === undefined) continue;
      // Policy `skip`: log the missed occurrence and move on to the next one in the future.
      this.deps.tasks.recordSkipped(
        task.id,
        task.nextRun,
        now,
        'missed while NanoClaw was not running',
      );
      const next = followingRun(schedule(task), task.nextRun, now, this.deps.timezone);
      this.deps.tasks.update(
        task.id,
        next === undefined ? { nextRun: undefined, status: 'completed' } : { nextRun: next },
        now,
      );
    }
    this.fire();
  }

  /** Tasks changed: re-arm for the (possibly new) earliest due time. */
  changed(): void {
    if (this.abort.signal.aborted) return;
    this.arm();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    await Promise.all(this.running);
  }

  private arm(): void {
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    const earliest = this.deps.tasks.earliestNextRun();
    const wait =
      earliest === undefined
        ? MAX_SLEEP_MS
        : Math.min(Math.max(0, earliest - this.deps.now()), MAX_SLEEP_MS);
    this.timer = this.deps.timers.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    if (this.abort.signal.aborted) return;
    const now = this.deps.now();
    for (const task of this.deps.tasks.due(now)) this.claimAndDispatch(task, now);
    this.arm();
  }

  private claimAndDispatch(task: Task, now: number): void {
    const occurrence = task.nextRun;
    if (occurrence === undefined) return;
    if (!this.deps.groupExists(task.groupFolder)) {
      const reason = `group ${task.groupFolder} no longer exists`;
      this.deps.tasks.update(task.id, { status: 'paused', pausedReason: reason }, now);
      this.deps.log.warn(
        { task: task.id, group: task.groupFolder },
        'task paused: its group is gone',
      );
      return;
    }
    let following: number | undefined;
    try {
      following = followingRun(schedule(task), occurrence, now, this.deps.timezone);
    } catch (error) {
      this.deps.tasks.update(task.id, { status: 'paused', pausedReason: errorMessage(error) }, now);
      return;
    }
    const runId = this.deps.tasks.claim(task.id, occurrence, following, now);
    if (runId === undefined) return; // someone else claimed this occurrence
    const log = this.deps.log.child({ task: task.id, group: task.groupFolder, runId });
    log.info({ lateMs: now - occurrence }, 'task run started');
    const done = this.deps
      .dispatch(task, { id: runId, scheduledFor: occurrence }, this.abort.signal)
      .catch((error: unknown): RunOutcome => ({ status: 'error', error: errorMessage(error) }))
      .then((outcome) => {
        this.deps.tasks.finishRun(runId, outcome, this.deps.now());
        log.info({ status: outcome.status }, 'task run finished');
      });
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
  }
}

export function schedule(task: Task) {
  return { type: task.scheduleType, value: task.scheduleValue };
}
