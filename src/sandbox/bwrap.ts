/**
 * The bubblewrap runtime (Linux, no daemon): runs the pure command line from bwrap-args.ts.
 * Trust boundary: bwrap is spawned as the unprivileged sandbox uid when the host is root, with
 * an environment of PATH only, so neither the sandbox nor bwrap itself holds host secrets.
 * The caller creates the group folder, global folder and Claude home and hands them to the
 * sandbox uid (src/groups/workspace.ts prepareGroupDirs); `unreachable` checks the app paths.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import {
  ETC_ALLOWLIST,
  bwrapLaunch,
  bwrapProbeArgs,
  explainBwrapFailure,
  type HostLayout,
} from './bwrap-args.js';
import {
  cgroupPlan,
  createCgroups,
  detectCgroups,
  removeCgroups,
  removeStaleCgroups,
  type CgroupLayout,
  type CgroupPlan,
} from './cgroups.js';
import { killOrphans, killSandbox } from './orphans.js';
import type { SandboxProcess, SandboxRuntime } from './runtime.js';
import type { SandboxSpec } from './spec.js';

const run = promisify(execFile);
/** The only variable bwrap and the helpers get from us: where to find programs. */
const SPAWN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin' };

export interface BwrapOptions {
  /** Host facts; read from this machine on first use when omitted. */
  layout?: HostLayout;
  /** The sandbox user the probe runs as (as root); default 1000:1000. */
  user?: { uid: number; gid: number };
  /** The bwrap program (looked up in PATH). */
  bwrap?: string;
  /** Per-sandbox cgroups: detected on first use when omitted; 'off' uses rlimits only. */
  cgroups?: CgroupLayout | 'off';
}

/** Reads the host facts bwrapArgs needs: merged-/usr symlinks, /etc entries, bwrap features. */
export function readHostLayout(bwrap = 'bwrap'): HostLayout {
  const usrSymlinks: Record<string, string> = {};
  const realDirs: string[] = [];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) usrSymlinks[dir] = fs.readlinkSync(dir);
    else if (stat?.isDirectory()) realDirs.push(dir);
  }
  const etcEntries = ETC_ALLOWLIST.filter((entry) => fs.existsSync(entry));
  const help = spawnSync(bwrap, ['--help'], { encoding: 'utf8', env: SPAWN_ENV });
  const tool = (name: string) => [`/usr/bin/${name}`, `/bin/${name}`].find((p) => fs.existsSync(p));
  return {
    usrSymlinks,
    realDirs,
    etcEntries,
    tmpfsSize: /--size\b/.test(help.stdout ?? ''),
    prlimit: tool('prlimit'),
    setpriv: tool('setpriv'),
  };
}

function ownUid(): number {
  return process.getuid?.() ?? -1;
}

export function createBwrapRuntime(log: Logger, options: BwrapOptions = {}): SandboxRuntime {
  const bwrap = options.bwrap ?? 'bwrap';
  const probeUser = options.user ?? { uid: 1000, gid: 1000 };
  let layout = options.layout;
  const hostLayout = () => (layout ??= readHostLayout(bwrap));
  let cgroups = options.cgroups;
  const cgroupLayout = () => {
    cgroups ??= detectCgroups() ?? 'off';
    return cgroups === 'off' ? undefined : cgroups;
  };
  const removals = new Set<Promise<void>>();
  // Orphans are recognized by their parent not being a host; hosts run this node binary.
  const hostExe = fs.realpathSync(process.execPath);
  return {
    name: 'bwrap',
    spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess {
      return spawnBwrap(
        spec,
        signal,
        { layout: hostLayout(), cgroups: cgroupLayout(), bwrap, removals },
        log,
      );
    },
    async probe() {
      const probed = await probeBwrap(bwrap, hostLayout(), probeUser, log);
      if (probed.ok) {
        const cg = cgroupLayout();
        const limits = cg ? `cgroup v${cg.version} (pids, memory)` : 'rlimits only';
        log.info({ limits }, 'bubblewrap sandbox limits');
      }
      return probed;
    },
    unreachable(paths, user) {
      // Only a root host spawns bwrap as another uid; a host running as itself reaches its paths.
      if (ownUid() !== 0) return undefined;
      return paths.find(
        (p) => spawnSync('/usr/bin/test', ['-x', p], { ...user, env: SPAWN_ENV }).status !== 0,
      );
    },
    async settle() {
      await Promise.all(removals);
    },
    async cleanupOrphans(instance: string) {
      const killed = killOrphans(instance, hostExe, log);
      const cg = cgroupLayout();
      if (cg) removeStaleCgroups(cg, instance, log);
      return killed;
    },
  };
}

/** Starts a tiny sandbox with every isolation flag we use; on failure, says what to change. */
async function probeBwrap(
  bwrap: string,
  layout: HostLayout,
  user: { uid: number; gid: number },
  log: Logger,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await run(bwrap, bwrapProbeArgs(layout, user), {
      env: SPAWN_ENV,
      timeout: 10_000,
      ...(ownUid() === 0 ? user : {}),
    });
    return { ok: true };
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    const code = typeof failure.code === 'string' ? failure.code : undefined;
    log.debug({ err: errorMessage(error) }, 'bwrap probe failed');
    return {
      ok: false,
      reason: explainBwrapFailure({ errorCode: code, stderr: failure.stderr ?? '' }),
    };
  }
}

function spawnBwrap(
  spec: SandboxSpec,
  signal: AbortSignal,
  host: {
    layout: HostLayout;
    cgroups: CgroupLayout | undefined;
    bwrap: string;
    /** Cgroup removals still under way (a cgroup goes only once its processes are gone). */
    removals: Set<Promise<void>>;
  },
  log: Logger,
): SandboxProcess {
  // setpriv joins the cgroups to the sandbox uid; without it bwrap falls back to rlimits.
  const cgroups =
    host.cgroups && host.layout.setpriv ? joinCgroups(host.cgroups, spec, log) : undefined;
  const launcher = { uid: ownUid(), cgroupProcs: cgroups?.procs };
  const launch = bwrapLaunch(spec, host.layout, launcher, host.bwrap);
  const child = spawn(launch.command, launch.args, {
    stdio: ['pipe', 'pipe', 'pipe', ...launch.data.map(() => 'pipe' as const)],
    env: SPAWN_ENV,
    ...launch.spawnAs,
    // SIGKILL of bwrap takes the sandbox down with it (--die-with-parent inside).
    signal,
    killSignal: 'SIGKILL',
  }) as SandboxProcess;
  if (cgroups) {
    child.on('close', () => {
      const removal = removeCgroups(cgroups, log).catch((error: unknown) =>
        log.warn({ err: errorMessage(error) }, 'removing a sandbox cgroup failed'),
      );
      host.removals.add(removal);
      void removal.finally(() => host.removals.delete(removal));
    });
  }
  launch.data.forEach((content, index) => {
    const pipe = child.stdio[3 + index];
    if (!pipe || !('end' in pipe)) return;
    // bwrap may exit before reading (a failed start); its stderr says why.
    pipe.on('error', (error) => log.debug({ err: errorMessage(error) }, 'bwrap data pipe'));
    pipe.end(content);
  });
  child.on('error', (error) => {
    if (error.name !== 'AbortError') log.warn({ err: errorMessage(error) }, 'bwrap spawn failed');
  });
  child.on('exit', (_code, killedBy) => {
    // bwrap's inner process only starts to die with the outer once its setup is done: an outer
    // killed earlier leaves the inner running the command. Finish it off by the sandbox's name.
    if (killedBy === null) return;
    const strays = killSandbox(spec.name, log);
    if (strays > 0) log.debug({ sandbox: spec.name, strays }, 'killed what outlived bwrap');
  });
  return child;
}

/** The sandbox's own cgroups, created; undefined (rlimits instead) when the kernel refuses. */
function joinCgroups(layout: CgroupLayout, spec: SandboxSpec, log: Logger): CgroupPlan | undefined {
  // Unique per spawn even if a name repeats: the cleanup of one must never kill another.
  const leaf = `${spec.name}-${randomBytes(4).toString('hex')}`;
  const plan = cgroupPlan(layout, spec.instance, leaf, spec.limits);
  try {
    createCgroups(plan);
    return plan;
  } catch (error) {
    log.warn({ err: errorMessage(error), sandbox: spec.name }, 'no cgroup for this sandbox');
    return undefined;
  }
}
