/**
 * What channel skills share for reconnecting: exponential backoff with jitter, a sleep that ends
 * with an AbortSignal, and a reporter that tells the host of each change of health once. Pure
 * except for the timer.
 */
import type { ChannelHealth } from './channel.js';

export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/** Attempt 1 waits about `baseMs`, doubling up to `maxMs`; jitter spreads it over ±25 %. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.75 + random() * 0.5));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

const reason = (h: ChannelHealth) => ('reason' in h ? h.reason : '');

/**
 * Holds the current state; `set` reports a change of state, or with `reasons` also a new reason
 * (why it is reconnecting now); never a new retry delay alone.
 */
export class HealthReporter {
  private current: ChannelHealth = { state: 'connecting' };

  constructor(
    private readonly changed: (health: ChannelHealth) => void,
    private readonly options: { reasons?: boolean } = {},
  ) {}

  get(): ChannelHealth {
    return this.current;
  }

  set(next: ChannelHealth): void {
    const changed =
      this.current.state !== next.state ||
      (this.options.reasons === true && reason(this.current) !== reason(next));
    this.current = next;
    if (changed) this.changed(next);
  }
}
