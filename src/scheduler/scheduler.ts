/**
 * The scheduler: one timer armed for the earliest due task (no polling sweep), an atomic claim
 * in SQLite before each dispatch, runs that never block the timer, and missed-run handling at
 * start-up. It never runs the same occurrence twice, even across processes and restarts.
 */
import { setMaxListeners } from 'node:events';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Timers } from '../conversation/queue.js';
import type { Task, TaskStore } from '../store/tasks.js';
import { nextRun, scheduleOf } from './schedule.js';
import type { Dispatch, RunOutcome } from './types.js';

export interface SchedulerDeps {
  tasks: TaskStore;
  timezone: string;
  now(): number;
  timers: Timers;
  /** Runs one claimed occurrence (the host: a sandboxed agent run). */
  dispatch: Dispatch;
  groupExists(folder: string): boolean;
  log: Logger;
}

/**
 * Longest single sleep. setTimeout overflows past ~24.8 days; timers follow the monotonic clock
 * while due times are wall-clock (a suspend or clock step shifts them); and the CLI writes the
 * database from another process. Waking at least once a minute bounds all three.
 */
const MAX_SLEEP_MS = 60_000;
/** A task found due this little after its time at start-up was not missed: it just runs. */
const MISSED_GRACE_MS = 60_000;
/** After a failed tick (e.g. the database was locked), try again this much later. */
const RETRY_AFTER_ERROR_MS = 5_000;

export class Scheduler {
  private timer: NodeJS.Timeout | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';
  /** Running dispatches by task id: one task never runs twice at the same time. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();
  private readonly log: Logger;

  constructor(private readonly deps: SchedulerDeps) {
    this.log = deps.log;
    // Every running dispatch (and each one waiting for a sandbox slot) listens on this signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** Settles what happened while the host was down, runs what is due, arms the timer. */
  start(): void {
    if (this.state !== 'new') return;
    this.state = 'started';
    try {
      this.recover(this.deps.now());
    } catch (error) {
      this.log.error({ err: errorMessage(error) }, 'missed-run recovery failed');
    }
    this.fire();
  }

  /** Tasks changed: re-arm for the (possibly new) earliest due time. */
  changed(): void {
    if (this.state === 'started') this.arm(0);
  }

  /** Clears the timer, aborts running dispatches and waits for them to be logged. */
  async stop(): Promise<void> {
    this.state = 'stopped';
    this.abort.abort();
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.running.values());
  }

  private recover(now: number): void {
    // A run still `running` belonged to a host that died: it did not finish and is not re-run.
    const abandoned = this.deps.tasks.abandonRunning(now);
    if (abandoned > 0)
      this.log.warn({ abandoned }, 'task runs interrupted by a host stop (not re-run)');
    for (const task of this.deps.tasks.due(now - MISSED_GRACE_MS)) {
      if (task.missedPolicy === 'skip') this.skipMissed(task, now);
    }
    // Policy run-once needs nothing here: the first tick runs each missed task once.
  }

  private skipMissed(task: Task, now: number): void {
    const occurrence = task.nextRun;
    if (occurrence === undefined) return;
    const following = this.following(task, occurrence, now);
    if (following === null) return;
    const runId = this.deps.tasks.claim(task.id, occurrence, following, now);
    if (runId === undefined) return;
    this.deps.tasks.finishRun(
      runId,
      { status: 'skipped', error: 'missed while NanoClaw was not running (policy: skip)' },
      now,
    );
    this.log.info({ task: task.id, missedBy: now - occurrence }, 'missed task run skipped');
  }

  private arm(minWait: number): void {
    if (this.state !== 'started') return;
    if (this.timer) this.deps.timers.clearTimeout(this.timer);
    let wait = MAX_SLEEP_MS;
    try {
      const earliest = this.deps.tasks.earliestNextRun();
      if (earliest !== undefined) wait = Math.max(0, earliest - this.deps.now());
    } catch (error) {
      this.log.error({ err: errorMessage(error) }, 'could not read the next due task');
    }
    wait = Math.min(Math.max(wait, minWait), MAX_SLEEP_MS);
    this.timer = this.deps.timers.setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    if (this.state !== 'started') return;
    const now = this.deps.now();
    let failed = false;
    try {
      for (const task of this.deps.tasks.due(now)) {
        try {
          this.runDue(task, now);
        } catch (error) {
          failed = true;
          this.log.error({ task: task.id, err: errorMessage(error) }, 'could not start task run');
        }
      }
    } catch (error) {
      failed = true;
      this.log.error({ err: errorMessage(error) }, 'could not read due tasks');
    }
    this.arm(failed ? RETRY_AFTER_ERROR_MS : 0);
  }

  /** Claim first, then dispatch: a failed claim means another tick or process has it. */
  private runDue(task: Task, now: number): void {
    const occurrence = task.nextRun;
    if (occurrence === undefined) return;
    if (!this.deps.groupExists(task.groupFolder)) {
      this.pause(task, `group ${task.groupFolder} no longer exists`, now);
      return;
    }
    const following = this.following(task, occurrence, now);
    if (following === null) return;
    const runId = this.deps.tasks.claim(task.id, occurrence, following, now);
    if (runId === undefined) {
      this.log.debug({ task: task.id, occurrence }, 'occurrence already claimed');
      return;
    }
    if (this.running.has(task.id)) {
      // Overlap: logged as skipped rather than queued, so slow runs never pile up.
      this.deps.tasks.finishRun(
        runId,
        { status: 'skipped', error: 'the previous run of this task was still running' },
        now,
      );
      this.log.warn({ task: task.id, runId }, 'task run skipped: previous run still running');
      return;
    }
    this.dispatch(task, runId, occurrence, now);
  }

  /** The occurrence after this one; null (and the task paused) when the schedule is broken. */
  private following(task: Task, occurrence: number, now: number): number | undefined | null {
    try {
      return nextRun(scheduleOf(task), {
        after: now,
        anchor: occurrence,
        timezone: this.deps.timezone,
      });
    } catch (error) {
      this.pause(task, `invalid schedule: ${errorMessage(error)}`, now);
      return null;
    }
  }

  private pause(task: Task, reason: string, now: number): void {
    this.deps.tasks.update(task.id, { status: 'paused', pausedReason: reason }, now);
    this.log.warn({ task: task.id, group: task.groupFolder, reason }, 'task paused');
  }

  private dispatch(task: Task, runId: number, occurrence: number, now: number): void {
    const log = this.log.child({ task: task.id, group: task.groupFolder, runId });
    log.info({ lateMs: now - occurrence }, 'task run started');
    const done = Promise.resolve()
      .then(() =>
        this.deps.dispatch(task, { id: runId, scheduledFor: occurrence }, this.abort.signal),
      )
      .catch((error: unknown): RunOutcome => ({ status: 'error', error: errorMessage(error) }))
      .then((outcome) => {
        this.deps.tasks.finishRun(runId, outcome, this.deps.now());
        log.info({ status: outcome.status }, 'task run finished');
      })
      .catch((error: unknown) => log.error({ err: errorMessage(error) }, 'could not log run'))
      .finally(() => this.running.delete(task.id));
    this.running.set(task.id, done);
  }
}
