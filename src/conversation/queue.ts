/**
 * The group queue: at most one run per group, failed runs retried with exponential backoff and
 * then parked until the group is woken again. How many sandboxes run at once, and which group
 * goes next, is the host's sandbox limiter's business (a run waits for its slot inside `run`).
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../log.js';

export interface Timers {
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout;
  clearTimeout(handle: NodeJS.Timeout): void;
}

export interface QueueDeps {
  /** First retry delay; doubles each failure up to maxDelayMs. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** Failures in a row before giving up until the next wake. */
  maxRetries: number;
  /**
   * Processes the group's pending work; resolves true on success, false to retry later, and
   * 'give-up' when retrying cannot help (the group then waits for its next message).
   */
  run(key: string, signal: AbortSignal): Promise<RunResult>;
  /** Called once when retries are exhausted. */
  onGiveUp(key: string): void;
  timers: Timers;
  log: Logger;
}

export type RunResult = boolean | 'give-up';

type State =
  { kind: 'running'; wokenAgain: boolean } | { kind: 'retry-wait'; timer: NodeJS.Timeout };

/** Delay before retry number `attempt` (1-based): base, 2×base, 4×base… capped. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(baseMs * 2 ** (attempt - 1), maxMs);
}

export class GroupQueue {
  private readonly states = new Map<string, State>();
  private readonly failures = new Map<string, number>();
  private readonly runs = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private active = 0;

  constructor(private readonly deps: QueueDeps) {
    // Every group's run (and each one waiting for a sandbox slot) listens on this signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** There is (possibly) new work for this group. Safe to call any number of times. */
  wake(key: string): void {
    if (this.abort.signal.aborted) return;
    const state = this.states.get(key);
    if (!state) {
      this.failures.delete(key);
      this.start(key);
    } else if (state.kind === 'running') {
      state.wokenAgain = true;
    }
    // retry-wait: the retry will pick the new work up.
  }

  isRunning(key: string): boolean {
    return this.states.get(key)?.kind === 'running';
  }

  get runningCount(): number {
    return this.active;
  }

  /** Stops starting runs, aborts live ones and waits for them to end. */
  async shutdown(): Promise<void> {
    this.abort.abort();
    for (const state of this.states.values()) {
      if (state.kind === 'retry-wait') this.deps.timers.clearTimeout(state.timer);
    }
    await Promise.all(this.runs);
  }

  private start(key: string): void {
    if (this.abort.signal.aborted) return;
    const state: State = { kind: 'running', wokenAgain: false };
    this.states.set(key, state);
    this.active += 1;
    const done = this.deps
      .run(key, this.abort.signal)
      .catch((error: unknown) => {
        this.deps.log.error({ group: key, err: error }, 'group run threw');
        return false;
      })
      .then((result) => this.finish(key, result, state.wokenAgain));
    this.runs.add(done);
    void done.finally(() => this.runs.delete(done));
  }

  private finish(key: string, result: RunResult, wokenAgain: boolean): void {
    this.active -= 1;
    this.states.delete(key);
    if (this.abort.signal.aborted) return;
    if (result === true) {
      this.failures.delete(key);
      if (wokenAgain) this.start(key);
    } else if (result === 'give-up') {
      this.failures.delete(key);
      this.deps.log.warn({ group: key }, 'not retrying: the failure would repeat');
      this.deps.onGiveUp(key);
    } else {
      this.scheduleRetry(key);
    }
  }

  private scheduleRetry(key: string): void {
    const failures = (this.failures.get(key) ?? 0) + 1;
    if (failures > this.deps.maxRetries) {
      this.failures.delete(key);
      this.deps.log.warn(
        { group: key, failures: failures - 1 },
        'giving up until the next message',
      );
      this.deps.onGiveUp(key);
      return;
    }
    this.failures.set(key, failures);
    const delay = retryDelay(failures, this.deps.retryBaseMs, this.deps.retryMaxDelayMs);
    this.deps.log.info({ group: key, attempt: failures, delayMs: delay }, 'retrying later');
    const timer = this.deps.timers.setTimeout(() => {
      this.states.delete(key);
      this.start(key);
    }, delay);
    this.states.set(key, { kind: 'retry-wait', timer });
  }
}
