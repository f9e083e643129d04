/**
 * Finds bubblewrap sandboxes of this installation (the NANOCLAW_INSTANCE marker on their command
 * line) whose host is gone, and kills them. --die-with-parent normally takes a sandbox down with
 * its host; this is the net for what slipped through. A sandbox whose parent is a live host (say
 * `nanoclaw run` beside `nanoclaw start`, same instance) is never touched.
 */
import fs from 'node:fs';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

export interface ProcEntry {
  pid: number;
  ppid: number;
  argv: string[];
  /** Real path of the executable; undefined when unreadable (another user's, or gone). */
  exe: string | undefined;
}

/** Whether an argv is bwrap with `--setenv <key> <value>`. Pure. */
function bwrapWith(argv: readonly string[], key: string, value: string): boolean {
  if (!argv[0]?.endsWith('bwrap')) return false;
  for (let i = 0; i + 2 < argv.length; i++) {
    if (argv[i] === '--setenv' && argv[i + 1] === key && argv[i + 2] === value) return true;
  }
  return false;
}

/** Whether an argv is a bwrap sandbox of this instance. Pure. */
export function isOurSandbox(argv: readonly string[], instance: string): boolean {
  return bwrapWith(argv, 'NANOCLAW_INSTANCE', instance);
}

/** Whether an argv is (outer or inner) bwrap of the sandbox with this unique name. Pure. */
export function isSandboxNamed(argv: readonly string[], name: string): boolean {
  return bwrapWith(argv, 'NANOCLAW_SANDBOX', name);
}

/**
 * The orphaned sandboxes (pure), each as [its outer bwrap, its inner bwrap if any]. Killing the
 * inner (the pid-namespace init) matters: bwrap makes the inner die with the outer only once its
 * setup is done, so an outer killed during setup can leave a running inner behind.
 *
 * A sandbox is an orphan when the parent of its outer bwrap is pid 1, gone, or a live process
 * that is not a host (its executable differs from the host's node); an inner bwrap reparented
 * to pid 1 counts as its own orphan. A parent whose executable cannot be read is left alone:
 * we cannot tell, so we do not kill.
 */
export function orphanSandboxes(
  procs: readonly ProcEntry[],
  instance: string,
  hostExe: string,
): number[][] {
  const byPid = new Map(procs.map((p) => [p.pid, p]));
  const ours = procs.filter((p) => isOurSandbox(p.argv, instance));
  const ourPids = new Set(ours.map((p) => p.pid));
  const orphans: number[][] = [];
  for (const proc of ours) {
    if (ourPids.has(proc.ppid)) continue;
    const parent = byPid.get(proc.ppid);
    const gone = proc.ppid <= 1 || !parent;
    if (gone || (parent.exe !== undefined && parent.exe !== hostExe)) {
      const inner = ours.filter((p) => p.ppid === proc.pid).map((p) => p.pid);
      orphans.push([proc.pid, ...inner]);
    }
  }
  return orphans;
}

function readProc(pid: number): ProcEntry | undefined {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = /^PPid:\s+(\d+)$/m.exec(status)?.[1];
    if (ppid === undefined) return undefined;
    return { pid, ppid: Number(ppid), argv: argv.slice(0, -1), exe: readExe(pid) };
  } catch {
    // The process exited while we looked: nothing to decide about it.
    return undefined;
  }
}

function readExe(pid: number): string | undefined {
  try {
    return fs.realpathSync(`/proc/${pid}/exe`);
  } catch {
    // Not ours to read (another user's process) or already gone.
    return undefined;
  }
}

/** Every process visible in /proc (a snapshot; processes may come and go meanwhile). */
export function scanProcesses(): ProcEntry[] {
  const out: ProcEntry[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const proc = readProc(Number(entry));
    if (proc) out.push(proc);
  }
  return out;
}

function kill(pids: readonly number[], log: Logger): boolean {
  let killed = false;
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      killed = true;
    } catch (error) {
      log.warn({ pid, err: errorMessage(error) }, 'could not kill sandbox process');
    }
  }
  return killed;
}

/** SIGKILLs this instance's orphaned sandboxes; returns how many sandboxes were killed. */
export function killOrphans(instance: string, hostExe: string, log: Logger): number {
  const orphans = orphanSandboxes(scanProcesses(), instance, hostExe);
  return orphans.filter((pids) => kill(pids, log)).length;
}

/** SIGKILLs whatever is left of one sandbox (by its unique name); returns how many processes. */
export function killSandbox(name: string, log: Logger): number {
  const pids = scanProcesses()
    .filter((p) => isSandboxNamed(p.argv, name))
    .map((p) => p.pid);
  kill(pids, log);
  return pids.length;
}
