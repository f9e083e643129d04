import { describe, expect, it } from 'vitest';
import { createCapabilityRegistry } from './capabilities.js';

const context = { runId: 'r1', group: { folder: 'main', isMain: true } };

describe('capability registry', () => {
  it('issues unguessable tokens that resolve to their run until revoked', () => {
    const registry = createCapabilityRegistry();
    const a = registry.issue(context);
    const b = registry.issue({ ...context, runId: 'r2' });
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(registry.resolve(a)).toEqual(context);
    expect(registry.resolve(b)?.runId).toBe('r2');
    registry.revoke(a);
    registry.revoke(a);
    expect(registry.resolve(a)).toBeUndefined();
    expect(registry.resolve(b)?.runId).toBe('r2');
  });

  it("keeps a worker's role and the run's signal, frozen", () => {
    const registry = createCapabilityRegistry();
    const stop = new AbortController();
    const worker = { name: 'w', lead: 'r0' };
    const token = registry.issue({ ...context, worker, signal: stop.signal });
    worker.lead = 'changed later';
    const resolved = registry.resolve(token);
    expect(resolved?.worker).toEqual({ name: 'w', lead: 'r0' });
    expect(Object.isFrozen(resolved?.worker)).toBe(true);
    stop.abort();
    expect(resolved?.signal?.aborted).toBe(true);
    expect(registry.resolve(registry.issue(context))).toEqual(context);
  });

  it('refuses unknown, empty and near-miss tokens', () => {
    const registry = createCapabilityRegistry();
    const token = registry.issue(context);
    expect(registry.resolve('')).toBeUndefined();
    expect(registry.resolve('forged-token-value-0000000000000000')).toBeUndefined();
    // One character off (never the same character: a token ending in "A" made this flaky).
    const other = token.endsWith('A') ? 'B' : 'A';
    expect(registry.resolve(`${token.slice(0, -1)}${other}`)).toBeUndefined();
  });

  it('expires tokens after their lifetime', () => {
    let now = 1000;
    const registry = createCapabilityRegistry({ ttlMs: 500, now: () => now });
    const token = registry.issue(context);
    now = 1499;
    expect(registry.resolve(token)).toEqual(context);
    now = 1500;
    expect(registry.resolve(token)).toBeUndefined();
  });

  it('issues URL-safe tokens and keeps its own copy of the run', () => {
    const registry = createCapabilityRegistry();
    const mine = { runId: 'r3', group: { folder: 'family', isMain: false } };
    const token = registry.issue(mine);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Whatever the issuer (or a handler) does to its object later, the token still means r3.
    mine.group.isMain = true;
    mine.group.folder = 'main';
    expect(registry.resolve(token)).toEqual({
      runId: 'r3',
      group: { folder: 'family', isMain: false },
    });
  });

  it('keeps live tokens when expired ones are swept', () => {
    let now = 0;
    const registry = createCapabilityRegistry({ ttlMs: 100, now: () => now });
    const old = registry.issue(context);
    now = 50;
    const young = registry.issue({ ...context, runId: 'young' });
    now = 120;
    registry.issue({ ...context, runId: 'sweeper' });
    expect(registry.resolve(old)).toBeUndefined();
    expect(registry.resolve(young)?.runId).toBe('young');
  });
});
