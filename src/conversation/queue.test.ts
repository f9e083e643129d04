import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../log.js';
import { GroupQueue, retryDelay, type QueueDeps, type RunResult } from './queue.js';

/** A run the test finishes by hand, to control exactly when slots free up. */
interface PendingRun {
  key: string;
  finish(result: RunResult): void;
}

function setup(overrides: Partial<QueueDeps> = {}) {
  const started: PendingRun[] = [];
  const gaveUp: string[] = [];
  const queue = new GroupQueue({
    retryBaseMs: 5000,
    retryMaxDelayMs: 60_000,
    maxRetries: 3,
    run: (key) =>
      new Promise<RunResult>((resolve) => started.push({ key, finish: (r) => resolve(r) })),
    onGiveUp: (key) => gaveUp.push(key),
    timers: { setTimeout, clearTimeout },
    log: silentLogger(),
    ...overrides,
  });
  const finish = async (key: string, ok: RunResult = true) => {
    const index = started.findIndex((r) => r.key === key);
    const [run] = started.splice(index, 1);
    run?.finish(ok);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { queue, started, gaveUp, finish };
}

describe('GroupQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs one group at a time: a wake during a run re-runs after it, once', async () => {
    const { queue, started, finish } = setup();
    queue.wake('a');
    queue.wake('a');
    expect(started.map((r) => r.key)).toEqual(['a']);
    queue.wake('a');
    queue.wake('a');
    expect(started).toHaveLength(1);
    await finish('a');
    expect(started.map((r) => r.key)).toEqual(['a']);
    await finish('a');
    expect(started).toHaveLength(0);
  });

  it('groups run side by side (the sandbox limiter, inside each run, caps them)', async () => {
    const { queue, started, finish } = setup();
    for (const key of ['a', 'b', 'c']) queue.wake(key);
    expect(started.map((r) => r.key)).toEqual(['a', 'b', 'c']);
    expect(queue.runningCount).toBe(3);
    await finish('b');
    expect(queue.isRunning('b')).toBe(false);
    expect(queue.runningCount).toBe(2);
  });

  it('retries a failed run after 5 s, 10 s, 20 s, then gives up until woken', async () => {
    const { queue, started, gaveUp, finish } = setup();
    queue.wake('a');
    await finish('a', false);
    for (const delay of [5000, 10_000, 20_000]) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(started).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect(started.map((r) => r.key)).toEqual(['a']);
      await finish('a', false);
    }
    expect(gaveUp).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(started).toHaveLength(0);
    queue.wake('a');
    expect(started.map((r) => r.key)).toEqual(['a']);
  });

  it('a failure that would repeat is not retried: the group gives up until woken', async () => {
    const { queue, started, gaveUp, finish } = setup();
    queue.wake('a');
    await finish('a', 'give-up');
    expect(gaveUp).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(started).toHaveLength(0);
    queue.wake('a');
    expect(started.map((r) => r.key)).toEqual(['a']);
  });

  it('a success resets the failure count', async () => {
    const { queue, started, gaveUp, finish } = setup({ maxRetries: 1 });
    queue.wake('a');
    await finish('a', false);
    await vi.advanceTimersByTimeAsync(5000);
    await finish('a', true);
    queue.wake('a');
    await finish('a', false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toHaveLength(1);
    expect(gaveUp).toEqual([]);
  });

  it('a wake while waiting to retry does not start an extra run', async () => {
    const { queue, started, finish } = setup();
    queue.wake('a');
    await finish('a', false);
    queue.wake('a');
    expect(started).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(started).toHaveLength(1);
  });

  it('a throwing run counts as a failure, not a crash', async () => {
    const { queue, gaveUp } = setup({
      maxRetries: 0,
      run: () => Promise.reject(new Error('boom')),
    });
    queue.wake('a');
    await vi.advanceTimersByTimeAsync(0);
    expect(gaveUp).toEqual(['a']);
    expect(queue.runningCount).toBe(0);
  });

  it('shutdown aborts live runs, waits for them and starts nothing new', async () => {
    let aborted = 0;
    const { queue } = setup({
      run: (_key, signal) =>
        new Promise<boolean>((resolve) =>
          signal.addEventListener('abort', () => {
            aborted += 1;
            resolve(false);
          }),
        ),
    });
    queue.wake('a');
    queue.wake('b');
    await queue.shutdown();
    expect(aborted).toBe(2);
    queue.wake('c');
    expect(queue.runningCount).toBe(0);
  });

  it('computes capped exponential delays', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, 5000, 60_000))).toEqual([
      5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000,
    ]);
  });
});
