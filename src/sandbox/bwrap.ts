/**
 * The bubblewrap runtime (Linux, no daemon). Spawns bwrap as the unprivileged sandbox uid — never
 * as root, where `--uid 1000` would map to host root — with the mounts passed as open fds.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { ETC_ALLOWLIST, bwrapArgs, type HostLayout } from './bwrap-args.js';
import { killOrphans } from './orphans.js';
import type { SandboxProcess, SandboxRuntime } from './runtime.js';
import type { SandboxSpec } from './spec.js';

export function readHostLayout(): HostLayout {
  const usrSymlinks: Record<string, string> = {};
  const realDirs: string[] = [];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64']) {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) usrSymlinks[dir] = fs.readlinkSync(dir);
    else if (stat?.isDirectory()) realDirs.push(dir);
  }
  const etcEntries = ETC_ALLOWLIST.filter((entry) => fs.existsSync(entry));
  return { usrSymlinks, realDirs, etcEntries };
}

/** The prefix that drops privileges and sets rlimits before bwrap runs. */
function launcher(spec: SandboxSpec): { command: string; args: string[] } {
  const dedicatedUid = process.getuid?.() !== spec.user.uid;
  // RLIMIT_NPROC counts every process of the uid, so it is only safe for a dedicated sandbox uid.
  if (dedicatedUid)
    return { command: 'prlimit', args: [`--nproc=${spec.limits.pids}`, '--', 'bwrap'] };
  return { command: 'bwrap', args: [] };
}

export function createBwrapRuntime(
  log: Logger,
  layout: HostLayout = readHostLayout(),
): SandboxRuntime {
  return {
    name: 'bwrap',
    spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess {
      const plan = bwrapArgs(spec, layout);
      const { command, args } = launcher(spec);
      const isRoot = process.getuid?.() === 0;
      const child = spawn(command, [...args, ...plan.args], {
        stdio: ['pipe', 'pipe', 'pipe', ...plan.data.map(() => 'pipe' as const)],
        // bwrap clears the sandbox env anyway; its own env must not carry host secrets either.
        env: { PATH: '/usr/local/bin:/usr/bin:/bin' },
        ...(isRoot ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
        signal,
        killSignal: 'SIGKILL',
      }) as SandboxProcess;
      plan.data.forEach((content, index) => {
        const pipe = child.stdio[3 + index];
        if (!pipe || !('end' in pipe)) return;
        // bwrap may exit before reading (a failed start); its stderr says why.
        pipe.on('error', (error) => log.debug({ err: errorMessage(error) }, 'bwrap data pipe'));
        pipe.end(content);
      });
      child.on('error', (error) => log.debug({ err: errorMessage(error) }, 'bwrap spawn error'));
      return child;
    },
    async probe() {
      return probeBwrap();
    },
    unreachable(paths, user) {
      if (process.getuid?.() !== 0) return undefined;
      return paths.find(
        (p) => spawnSync('/usr/bin/test', ['-x', p], { uid: user.uid, gid: user.gid }).status !== 0,
      );
    },
    async cleanupOrphans(instance: string) {
      return killOrphans(instance, log);
    },
  };
}

function probeBwrap(): { ok: true } | { ok: false; reason: string } {
  const which = spawnSync('bwrap', ['--version'], { encoding: 'utf8' });
  if (which.error)
    return { ok: false, reason: 'bubblewrap is not installed (apt-get install bubblewrap)' };
  const isRoot = process.getuid?.() === 0;
  const test = spawnSync(
    'bwrap',
    [
      '--unshare-all',
      '--unshare-user',
      '--ro-bind',
      '/usr',
      '/usr',
      '--symlink',
      'usr/bin',
      '/bin',
      '--symlink',
      'usr/lib',
      '/lib',
      '--symlink',
      'usr/lib64',
      '/lib64',
      '--',
      '/usr/bin/true',
    ],
    { encoding: 'utf8', ...(isRoot ? { uid: 1000, gid: 1000 } : {}), timeout: 10_000 },
  );
  if (test.status === 0) return { ok: true };
  const why = (test.stderr || test.error?.message || `exit ${test.status}`).trim();
  return {
    ok: false,
    reason:
      `bubblewrap cannot create a sandbox here (${why}). Unprivileged user namespaces may be ` +
      'disabled: on Ubuntu 24.04 run `sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0`.',
  };
}
