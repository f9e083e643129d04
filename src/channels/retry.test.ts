import { describe, expect, it } from 'vitest';
import type { ChannelHealth } from './channel.js';
import { backoffDelay, HealthReporter, sleep } from './retry.js';

describe('channel reconnects', () => {
  // Every channel skill reconnects with this one function (their health.ts re-export it).
  it('backs off exponentially up to the cap, jittered by ±25 %', () => {
    const b = { baseMs: 1000, maxMs: 8000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, b, () => 0.5))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelay(1, b, () => 0)).toBe(750);
    expect(backoffDelay(1, b, () => 1)).toBe(1250);
    expect(backoffDelay(2, b, () => 0)).toBe(1500);
    expect(backoffDelay(2, b, () => 1)).toBe(2500);
  });

  it('reports each change of state once; with reasons, a new reason too', () => {
    const seen: ChannelHealth[] = [];
    const plain = new HealthReporter((h) => seen.push(h));
    const down = (reason: string): ChannelHealth => ({
      state: 'reconnecting',
      reason,
      retryInMs: 1,
    });
    plain.set({ state: 'connected' });
    plain.set({ state: 'connected' });
    plain.set(down('reset'));
    plain.set(down('refused'));
    expect(seen.map((h) => h.state)).toEqual(['connected', 'reconnecting']);
    expect(plain.get()).toEqual(down('refused'));
    const why: ChannelHealth[] = [];
    const reasons = new HealthReporter((h) => why.push(h), { reasons: true });
    reasons.set(down('reset'));
    reasons.set(down('reset'));
    reasons.set(down('refused'));
    expect(why).toHaveLength(2);
  });

  it('sleeps until the signal ends it', async () => {
    const stop = new AbortController();
    const slept = sleep(60_000, stop.signal);
    stop.abort();
    await expect(slept).resolves.toBeUndefined();
    await expect(sleep(60_000, stop.signal)).resolves.toBeUndefined(); // already aborted
  });
});
