/**
 * Per-sandbox cgroups for bubblewrap, which has none of its own: a pids limit that belongs to one
 * sandbox (RLIMIT_NPROC counts every process of a uid, so one fork bomb would starve every other
 * sandbox of that uid) and a real memory cap. Used when the host is root and the kernel offers
 * the controllers (cgroup v2, or v1 `pids` + `memory` hierarchies); otherwise bwrap falls back
 * to rlimits and says so at start-up.
 *
 * Layout: `<root>/nanoclaw/<instance>/<sandbox name>`. The plan is pure; the helpers below it do
 * the few file writes.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { CGROUP_JOIN_SCRIPT } from './bwrap-args.js';
import type { SandboxLimits } from './spec.js';

export type CgroupLayout =
  { version: 2; root: string } | { version: 1; pids: string; memory: string | undefined };

/** Where a sandbox's cgroups live and what to write into them. */
export interface CgroupPlan {
  /** Directories to create in order, each with the files to write after creating it. */
  dirs: { path: string; files: [name: string, value: string][] }[];
  /** The leaf directories (one per hierarchy): removed after the run. */
  leaves: string[];
  /** The `cgroup.procs` files the launcher writes its own pid into before it execs bwrap. */
  procs: string[];
}

const MIB = 1024 * 1024;

/** Pure: the cgroup directories and settings for one sandbox. */
export function cgroupPlan(
  layout: CgroupLayout,
  instance: string,
  name: string,
  limits: Pick<SandboxLimits, 'pids' | 'memoryMb'>,
): CgroupPlan {
  const memory = String(limits.memoryMb * MIB);
  if (layout.version === 2) {
    const enable: [string, string] = ['cgroup.subtree_control', '+pids +memory'];
    const base = path.join(layout.root, 'nanoclaw');
    const group = path.join(base, instance);
    const leaf = path.join(group, name);
    return {
      dirs: [
        { path: layout.root, files: [enable] },
        { path: base, files: [enable] },
        { path: group, files: [enable] },
        {
          path: leaf,
          files: [
            ['pids.max', String(limits.pids)],
            ['memory.max', memory],
            ['memory.swap.max', '0'],
          ],
        },
      ],
      leaves: [leaf],
      procs: [path.join(leaf, 'cgroup.procs')],
    };
  }
  const hierarchies: [root: string, files: [string, string][]][] = [
    [layout.pids, [['pids.max', String(limits.pids)]]],
  ];
  if (layout.memory) hierarchies.push([layout.memory, [['memory.limit_in_bytes', memory]]]);
  const plan: CgroupPlan = { dirs: [], leaves: [], procs: [] };
  for (const [root, files] of hierarchies) {
    const leaf = path.join(root, 'nanoclaw', instance, name);
    plan.dirs.push({ path: path.join(root, 'nanoclaw'), files: [] });
    plan.dirs.push({ path: path.join(root, 'nanoclaw', instance), files: [] });
    plan.dirs.push({ path: leaf, files });
    plan.leaves.push(leaf);
    plan.procs.push(path.join(leaf, 'cgroup.procs'));
  }
  return plan;
}

/**
 * The cgroup hierarchies this host may use, or undefined (not root, no pids controller, or
 * read-only cgroupfs). Checked once per runtime by creating the `nanoclaw` directory.
 */
export function detectCgroups(fsRoot = '/sys/fs/cgroup'): CgroupLayout | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const controllers = readText(path.join(fsRoot, 'cgroup.controllers'));
  let layout: CgroupLayout | undefined;
  if (controllers !== undefined) {
    const have = controllers.split(/\s+/);
    if (have.includes('pids') && have.includes('memory')) layout = { version: 2, root: fsRoot };
  } else if (isDir(path.join(fsRoot, 'pids'))) {
    const memory = path.join(fsRoot, 'memory');
    layout = {
      version: 1,
      pids: path.join(fsRoot, 'pids'),
      memory: isDir(memory) ? memory : undefined,
    };
  }
  if (!layout) return undefined;
  return probeJoin(layout) ? layout : undefined;
}

/**
 * Creates a throwaway cgroup and lets a shell join it the way a sandbox launcher does. Any
 * refusal (read-only cgroupfs, a controller owned elsewhere, a namespace root with processes)
 * means: fall back to rlimits, rather than sandboxes that fail to start.
 */
function probeJoin(layout: CgroupLayout): boolean {
  const plan = cgroupPlan(layout, 'probe', String(process.pid), { pids: 64, memoryMb: 64 });
  try {
    createCgroups(plan);
    const join = spawnSync(
      '/bin/sh',
      ['-c', CGROUP_JOIN_SCRIPT, 'probe', String(plan.procs.length), ...plan.procs, 'true'],
      { env: { PATH: '/usr/bin:/bin' }, timeout: 10_000 },
    );
    return join.status === 0;
  } catch {
    return false; // the kernel refused a directory or a limit
  } finally {
    for (const dir of [...plan.leaves, ...plan.leaves.map((l) => path.dirname(l))]) {
      try {
        fs.rmdirSync(dir);
      } catch {
        // Not created, or busy (another probe beside us): nothing to clean.
      }
    }
  }
}

function prepareDir(dir: CgroupPlan['dirs'][number], fresh = false): void {
  // A leaf must be new: sharing one with another sandbox would share its limits and cleanup.
  if (fresh) fs.mkdirSync(dir.path);
  else fs.mkdirSync(dir.path, { recursive: true });
  for (const [name, value] of dir.files) {
    const file = path.join(dir.path, name);
    // memory.swap.max only exists with swap accounting; the limit itself is what matters.
    if (name === 'memory.swap.max' && !fs.existsSync(file)) continue;
    fs.writeFileSync(file, value);
  }
}

/** Creates the sandbox's cgroups with their limits. Throws when the kernel refuses. */
export function createCgroups(plan: CgroupPlan): void {
  for (const dir of plan.dirs) prepareDir(dir, plan.leaves.includes(dir.path));
}

/**
 * Kills whatever is still in the sandbox's cgroups and removes them. A cgroup can only be removed
 * once empty, and SIGKILLed processes take a moment to go: retried for up to ~2 s.
 */
export async function removeCgroups(plan: CgroupPlan, log: Logger): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const left = plan.leaves.filter((leaf) => !tryRemove(leaf));
    if (left.length === 0) return;
    for (const leaf of left) killMembers(leaf);
    await new Promise((r) => setTimeout(r, 50));
  }
  log.warn({ cgroups: plan.leaves }, 'could not remove a sandbox cgroup: processes remain');
}

/** Removes this instance's cgroups left by earlier hosts, if empty and older than a minute. */
export function removeStaleCgroups(layout: CgroupLayout, instance: string, log: Logger): number {
  const roots = layout.version === 2 ? [layout.root] : [layout.pids, layout.memory];
  let removed = 0;
  for (const root of roots) {
    if (!root) continue;
    const dir = path.join(root, 'nanoclaw', instance);
    for (const entry of readDirs(dir)) {
      const leaf = path.join(dir, entry);
      // Young ones may belong to a run of a host beside us that has not joined them yet.
      if (Date.now() - (fs.statSync(leaf, { throwIfNoEntry: false })?.mtimeMs ?? 0) < 60_000)
        continue;
      if (tryRemove(leaf)) removed += 1;
    }
    if (readDirs(dir).length === 0) tryRemove(dir);
  }
  if (removed > 0) log.info({ removed }, 'removed stale sandbox cgroups');
  return removed;
}

function tryRemove(leaf: string): boolean {
  try {
    fs.rmdirSync(leaf);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code !== 'EBUSY') throw error;
    return false;
  }
}

function killMembers(leaf: string): void {
  for (const pid of (readText(path.join(leaf, 'cgroup.procs')) ?? '').split('\n')) {
    if (!pid) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch (error) {
      // ESRCH: it died between the read and the kill, which is what we wanted.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined; // absent: the caller treats it as "not this kind of cgroup"
  }
}

function readDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`cannot list ${dir}: ${errorMessage(error)}`, { cause: error });
  }
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}
