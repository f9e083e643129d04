/** The limiter's plumbing: waiting, granting, aborting, releasing once, asking idle runs to yield. */
import { describe, expect, it } from 'vitest';
import { SandboxLimiter, type Lease } from './limiter.js';

const never = new AbortController().signal;
const settled = () => new Promise((r) => setTimeout(r, 0));

/** Acquires and records when (in grant order) the lease arrived. */
function track(limiter: SandboxLimiter, order: string[]) {
  return (name: string, group: string, kind: 'chat' | 'task' | 'precheck', signal = never) =>
    limiter.acquire({ group, kind }, signal).then((lease) => {
      order.push(name);
      return lease;
    });
}

describe('SandboxLimiter', () => {
  it('grants up to the cap, then in policy order as slots are released', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 });
    const order: string[] = [];
    const take = track(limiter, order);
    const first = await take('t1', 'a', 'task');
    const t2 = take('t2', 'b', 'task');
    const chat = await take('chat', 'c', 'chat');
    await settled();
    expect(order).toEqual(['t1', 'chat']);
    expect(limiter.snapshot().waiting.map((s) => s.group)).toEqual(['b']);
    first.release();
    await t2;
    expect(order).toEqual(['t1', 'chat', 't2']);
    chat.release();
    expect(limiter.snapshot().running.map((s) => s.group)).toEqual(['b']);
  });

  it('an aborted waiter leaves the queue and rejects with the reason', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 1, maxPerGroup: 1 });
    const held = await limiter.acquire({ group: 'a', kind: 'chat' }, never);
    const abort = new AbortController();
    const waiting = limiter.acquire({ group: 'b', kind: 'task' }, abort.signal);
    const next = limiter.acquire({ group: 'c', kind: 'task' }, never);
    abort.abort(new Error('stopped'));
    await expect(waiting).rejects.toThrow('stopped');
    expect(limiter.snapshot().waiting.map((s) => s.group)).toEqual(['c']);
    held.release();
    (await next).release();
    expect(limiter.snapshot()).toEqual({ running: [], waiting: [] });
    const aborted = AbortSignal.abort(new Error('already'));
    await expect(limiter.acquire({ group: 'a', kind: 'chat' }, aborted)).rejects.toThrow('already');
  });

  it('a second release does nothing (the slot is freed exactly once)', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 });
    const a = await limiter.acquire({ group: 'a', kind: 'chat' }, never);
    const b = await limiter.acquire({ group: 'b', kind: 'chat' }, never);
    const order: string[] = [];
    const take = track(limiter, order);
    const c = take('c', 'c', 'chat');
    const d = take('d', 'd', 'chat');
    a.release();
    a.release();
    await c;
    await settled();
    expect(order).toEqual(['c']); // d still waits: a's second release freed nothing
    expect(limiter.snapshot().running).toHaveLength(2);
    b.release();
    await d;
  });

  it('an idle run is asked (once) to give its slot up when someone waits, not before', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 });
    const idleChat = await limiter.acquire({ group: 'a', kind: 'chat' }, never);
    const busyChat = await limiter.acquire({ group: 'b', kind: 'chat' }, never);
    const asked: string[] = [];
    idleChat.idle(() => asked.push('a'));
    await settled();
    expect(asked).toEqual([]);
    const task = limiter.acquire({ group: 'c', kind: 'task' }, never);
    await settled();
    expect(asked).toEqual(['a']);
    // Only when its sandbox is gone does the slot move on.
    idleChat.release();
    (await task).release();
    busyChat.release();
  });

  it('a run that waits before another goes idle gets that slot when it goes idle', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 1, maxPerGroup: 1 });
    const chat = await limiter.acquire({ group: 'a', kind: 'chat' }, never);
    const waiting = limiter.acquire({ group: 'b', kind: 'chat' }, never);
    let asked = 0;
    chat.busy();
    chat.idle(() => (asked += 1));
    await settled();
    expect(asked).toBe(1);
    chat.idle(() => (asked += 1)); // already yielding: not asked again
    await settled();
    expect(asked).toBe(1);
    chat.release();
    const next: Lease = await waiting;
    next.release();
  });

  it('a run busy again is no longer offered', async () => {
    const limiter = new SandboxLimiter({ maxTotal: 1, maxPerGroup: 1 });
    const chat = await limiter.acquire({ group: 'a', kind: 'chat' }, never);
    let asked = 0;
    chat.idle(() => (asked += 1));
    chat.busy();
    const abort = new AbortController();
    const waiting = limiter.acquire({ group: 'b', kind: 'chat' }, abort.signal);
    await settled();
    expect(asked).toBe(0);
    abort.abort();
    await expect(waiting).rejects.toThrow();
    chat.release();
  });
});
