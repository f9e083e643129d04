import { describe, expect, it } from 'vitest';
import { isOurSandbox, isSandboxNamed, orphanSandboxes, type ProcEntry } from './orphans.js';

const NODE = '/usr/bin/node';
const sandboxArgv = (instance: string) => [
  'bwrap',
  '--unshare-all',
  '--setenv',
  'NANOCLAW_INSTANCE',
  instance,
  '--',
  '/opt/node/bin/node',
];
const proc = (pid: number, ppid: number, argv: string[], exe?: string): ProcEntry => ({
  pid,
  ppid,
  argv,
  exe,
});

describe('orphan recognition', () => {
  it('matches only bwrap processes carrying this instance marker', () => {
    expect(isOurSandbox(sandboxArgv('abc'), 'abc')).toBe(true);
    expect(isOurSandbox(['/usr/bin/bwrap', '--setenv', 'NANOCLAW_INSTANCE', 'abc'], 'abc')).toBe(
      true,
    );
    expect(isOurSandbox(sandboxArgv('other'), 'abc')).toBe(false);
    expect(isOurSandbox(['node', '--setenv', 'NANOCLAW_INSTANCE', 'abc'], 'abc')).toBe(false);
    expect(isOurSandbox(['bwrap', 'NANOCLAW_INSTANCE', 'abc'], 'abc')).toBe(false);
    expect(isOurSandbox(['bwrap', '--setenv', 'NANOCLAW_INSTANCE'], 'abc')).toBe(false);
    expect(isOurSandbox([], 'abc')).toBe(false);
  });

  it('finds one sandbox by its unique name, outer and inner', () => {
    const argv = ['bwrap', '--setenv', 'NANOCLAW_SANDBOX', 'nanoclaw-fam-r1', '--', 'x'];
    expect(isSandboxNamed(argv, 'nanoclaw-fam-r1')).toBe(true);
    expect(isSandboxNamed(argv, 'nanoclaw-fam-r2')).toBe(false);
    expect(isSandboxNamed(['sh', ...argv.slice(1)], 'nanoclaw-fam-r1')).toBe(false);
  });

  it('kills sandboxes (outer and inner) reparented to pid 1 or whose parent is gone', () => {
    const procs = [
      proc(1, 0, ['/sbin/init'], '/sbin/init'),
      proc(10, 1, sandboxArgv('abc'), '/usr/bin/bwrap'),
      proc(11, 10, sandboxArgv('abc'), '/usr/bin/bwrap'), // its pid-namespace init
      proc(20, 999, sandboxArgv('abc'), '/usr/bin/bwrap'),
      proc(30, 1, sandboxArgv('abc'), '/usr/bin/bwrap'), // an inner whose outer died in setup
    ];
    expect(orphanSandboxes(procs, 'abc', NODE)).toEqual([[10, 11], [20], [30]]);
  });

  it('kills sandboxes whose live parent is not a host (a subreaper, a shell)', () => {
    const procs = [
      proc(5, 1, ['tini', '-s'], '/usr/bin/tini'),
      proc(10, 5, sandboxArgv('abc'), '/usr/bin/bwrap'),
    ];
    expect(orphanSandboxes(procs, 'abc', NODE)).toEqual([[10]]);
  });

  it('leaves sandboxes of a live host alone, even a second host of the same instance', () => {
    const procs = [
      proc(100, 1, ['node', 'nanoclaw', 'start'], NODE),
      proc(101, 100, sandboxArgv('abc'), '/usr/bin/bwrap'),
      proc(102, 101, sandboxArgv('abc'), '/usr/bin/bwrap'),
      proc(200, 1, ['node', 'nanoclaw', 'run'], NODE),
      proc(201, 200, sandboxArgv('abc'), '/usr/bin/bwrap'),
    ];
    expect(orphanSandboxes(procs, 'abc', NODE)).toEqual([]);
  });

  it('leaves other instances alone and does not guess when the parent cannot be read', () => {
    const procs = [
      proc(10, 1, sandboxArgv('other'), '/usr/bin/bwrap'),
      proc(50, 1, ['someone-elses'], undefined),
      proc(51, 50, sandboxArgv('abc'), undefined),
    ];
    expect(orphanSandboxes(procs, 'abc', NODE)).toEqual([]);
  });
});
