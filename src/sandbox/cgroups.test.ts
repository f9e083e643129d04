import { describe, expect, it } from 'vitest';
import { cgroupPlan } from './cgroups.js';

const limits = { pids: 64, memoryMb: 256 };

describe('sandbox cgroup plan', () => {
  it('v1: one leaf per hierarchy under nanoclaw/<instance>, with pids.max and the memory cap', () => {
    const plan = cgroupPlan(
      { version: 1, pids: '/cg/pids', memory: '/cg/memory' },
      'inst1',
      'nanoclaw-main-abc',
      limits,
    );
    expect(plan.leaves).toEqual([
      '/cg/pids/nanoclaw/inst1/nanoclaw-main-abc',
      '/cg/memory/nanoclaw/inst1/nanoclaw-main-abc',
    ]);
    expect(plan.procs).toEqual(plan.leaves.map((l) => `${l}/cgroup.procs`));
    const files = Object.fromEntries(plan.dirs.flatMap((d) => d.files));
    expect(files).toEqual({ 'pids.max': '64', 'memory.limit_in_bytes': String(256 * 1024 * 1024) });
    // Parents come before their children.
    const order = plan.dirs.map((d) => d.path);
    expect(order.indexOf('/cg/pids/nanoclaw/inst1')).toBeLessThan(order.indexOf(plan.leaves[0]!));
  });

  it('v1 without a memory hierarchy: pids only', () => {
    const plan = cgroupPlan({ version: 1, pids: '/cg/pids', memory: undefined }, 'i', 'n', limits);
    expect(plan.procs).toEqual(['/cg/pids/nanoclaw/i/n/cgroup.procs']);
    expect(plan.dirs.flatMap((d) => d.files)).toEqual([['pids.max', '64']]);
  });

  it('v2: controllers enabled down the path, one leaf with pids, memory and no swap', () => {
    const plan = cgroupPlan({ version: 2, root: '/cg' }, 'i', 'n', limits);
    expect(plan.dirs.map((d) => d.path)).toEqual([
      '/cg',
      '/cg/nanoclaw',
      '/cg/nanoclaw/i',
      '/cg/nanoclaw/i/n',
    ]);
    for (const dir of plan.dirs.slice(0, 3)) {
      expect(dir.files).toEqual([['cgroup.subtree_control', '+pids +memory']]);
    }
    expect(plan.dirs[3]?.files).toEqual([
      ['pids.max', '64'],
      ['memory.max', String(256 * 1024 * 1024)],
      ['memory.swap.max', '0'],
    ]);
    expect(plan.procs).toEqual(['/cg/nanoclaw/i/n/cgroup.procs']);
  });
});
