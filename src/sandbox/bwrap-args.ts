/**
 * The bubblewrap command line for a SandboxSpec (pure). Every namespace is unshared, the
 * environment is cleared and only the spec's mounts exist, over a read-only /usr and a minimal
 * /etc. bwrap runs as the unprivileged sandbox uid (never as root: there `--uid 1000` would map
 * to host root), so every mount source must be reachable by that uid.
 */
import type { SandboxSpec } from './spec.js';

/** Facts about this host that shape the command line (read once by bwrap.ts). */
export interface HostLayout {
  /** Top-level dirs that are symlinks into /usr on this host (merged /usr), with their targets. */
  usrSymlinks: Record<string, string>;
  /** Top-level system dirs that exist as real directories (non-merged /usr). */
  realDirs: string[];
  /** Entries of ETC_ALLOWLIST that exist on this host. */
  etcEntries: string[];
  /** Whether this bwrap knows `--size` (0.8+); older ones get unsized tmpfs mounts. */
  tmpfsSize: boolean;
  /** Path of util-linux `prlimit`, used to set rlimits before bwrap starts; undefined if absent. */
  prlimit: string | undefined;
  /** Path of util-linux `setpriv` (drops to the sandbox uid after joining cgroups). */
  setpriv: string | undefined;
}

/** Who is starting the sandbox. */
export interface Launcher {
  /** The host process's own uid (0 = root). */
  uid: number;
  /** The sandbox's `cgroup.procs` files to join before bwrap starts (root only). */
  cgroupProcs?: readonly string[];
}

export interface BwrapLaunch {
  /** The program to spawn (prlimit, which execs bwrap, or bwrap itself) and its arguments. */
  command: string;
  args: string[];
  /** Contents to write into the child's extra pipes (fd 3, 4, …), in order. */
  data: string[];
  /** Host uid/gid to spawn as (set when the host is root); undefined: spawn as self. */
  spawnAs: { uid: number; gid: number } | undefined;
}

/**
 * The /etc entries a sandbox may see; everything else in /etc stays hidden. `alternatives` holds
 * only symlinks (Debian's awk, editor, …); passwd, group and hosts are generated.
 */
export const ETC_ALLOWLIST = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/nsswitch.conf',
  '/etc/localtime',
  '/etc/ld.so.cache',
  '/etc/alternatives',
] as const;

/** Unshare everything (explicit user + cgroup: --disable-userns needs an explicit one). */
const ISOLATION = [
  '--unshare-all',
  '--unshare-user',
  '--unshare-cgroup',
  '--die-with-parent',
  '--new-session',
  '--clearenv',
];

/** No nested namespaces: the agent cannot build itself a new user namespace inside. */
const NO_NESTED_USERNS = ['--disable-userns', '--assert-userns-disabled'];

function systemDirs(layout: HostLayout): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const [dir, target] of Object.entries(layout.usrSymlinks)) {
    args.push('--symlink', target, dir);
  }
  for (const dir of layout.realDirs) args.push('--ro-bind', dir, dir);
  return args;
}

function sized(layout: HostLayout, mb: number, dest: string): string[] {
  const tmpfs = ['--tmpfs', dest];
  return layout.tmpfsSize ? ['--size', String(mb * 1024 * 1024), ...tmpfs] : tmpfs;
}

/** The bwrap arguments for a spec, and the generated files to feed through fds 3, 4, 5. */
export function bwrapArgs(
  spec: SandboxSpec,
  layout: HostLayout,
): { args: string[]; data: string[] } {
  const data: string[] = [];
  const fd = (content: string) => String(3 + data.push(content) - 1);
  const { uid, gid } = spec.user;
  const args = [...ISOLATION, '--uid', String(uid), '--gid', String(gid)];
  args.push('--hostname', spec.hostname, ...systemDirs(layout));
  for (const entry of layout.etcEntries) args.push('--ro-bind', entry, entry);
  args.push(
    '--ro-bind-data',
    fd(`agent:x:${uid}:${gid}:agent:${spec.home}:/bin/sh\n`),
    '/etc/passwd',
    '--ro-bind-data',
    fd(`agent:x:${gid}:\n`),
    '/etc/group',
    '--ro-bind-data',
    fd(`127.0.0.1 localhost ${spec.hostname}\n::1 localhost\n`),
    '/etc/hosts',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...sized(layout, spec.limits.tmpMb, '/tmp'),
    ...sized(layout, spec.limits.tmpMb, '/home'),
    '--dir',
    spec.home,
  );
  for (const mount of spec.mounts) {
    args.push(mount.mode === 'rw' ? '--bind' : '--ro-bind', mount.hostPath, mount.sandboxPath);
  }
  // The root itself (bwrap's tmpfs holding the mount points) becomes read-only: nothing can be
  // created in /, /etc, /opt or /workspace beside the mounts. Not recursive: mounts keep modes.
  args.push('--remount-ro', '/', '--chdir', spec.cwd);
  // The instance marker on the command line is what orphan cleanup looks for.
  const env = { ...spec.env, NANOCLAW_INSTANCE: spec.instance };
  for (const [key, value] of Object.entries(env)) args.push('--setenv', key, value);
  args.push(...NO_NESTED_USERNS, '--', ...spec.command);
  return { args, data };
}

/**
 * Joins the launcher into the sandbox's cgroups, then execs the rest (same pid throughout, so
 * bwrap's --die-with-parent still watches the host). Args: count, the cgroup.procs files, argv.
 */
export const CGROUP_JOIN_SCRIPT =
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done; ' +
  // The shell exports PWD; bwrap's environment must hold PATH only.
  'unset PWD; exec "$@"';

/**
 * How to start bwrap for a spec. As root, bwrap runs as the sandbox uid so that sandbox uid 1000
 * is host uid 1000 (the kernel's normal permission checks apply). prlimit, which execs bwrap,
 * turns core files off (they would land in the group folder).
 *
 * Process and memory limits:
 * - with `cgroupProcs` (host is root, cgroups usable): a root shell joins the sandbox's own
 *   cgroups (pids.max, memory cap) and execs setpriv, which drops to the sandbox uid with no
 *   capabilities and execs prlimit → bwrap. Every process of the sandbox is counted there alone.
 * - otherwise, as root: RLIMIT_NPROC = limits.pids. The kernel counts every process of the host
 *   uid across all of its sandboxes, so a fork bomb in one can starve the others of that uid.
 * - a host running as itself gets neither (RLIMIT_NPROC would count the user's own processes).
 * RLIMIT_AS is never set: it caps address space, not memory (node's WebAssembly reserves > 8 GiB,
 * the Bun-built Claude CLI fails below 1 GiB), so it would break the agent without bounding
 * memory.
 */
export function bwrapLaunch(
  spec: SandboxSpec,
  layout: HostLayout,
  launcher: Launcher,
  bwrap = 'bwrap',
): BwrapLaunch {
  const { args, data } = bwrapArgs(spec, layout);
  const isRoot = launcher.uid === 0;
  const { uid, gid } = spec.user;
  const procs = isRoot && layout.setpriv ? (launcher.cgroupProcs ?? []) : [];
  const limits = [
    '--core=0',
    ...(isRoot && procs.length === 0 ? [`--nproc=${spec.limits.pids}`] : []),
  ];
  const bwrapCommand = layout.prlimit ? [layout.prlimit, ...limits, '--', bwrap] : [bwrap];
  if (procs.length > 0 && layout.setpriv) {
    const drop = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups'];
    const setpriv = [layout.setpriv, ...drop, '--inh-caps=-all', '--bounding-set=-all', '--'];
    return {
      command: '/bin/sh',
      args: ['-c', CGROUP_JOIN_SCRIPT, 'nanoclaw-join', String(procs.length), ...procs].concat(
        setpriv,
        bwrapCommand,
        args,
      ),
      data,
      spawnAs: undefined,
    };
  }
  const spawnAs = isRoot ? { uid, gid } : undefined;
  const [command = bwrap, ...prefix] = bwrapCommand;
  return { command, args: [...prefix, ...args], data, spawnAs };
}

/** A tiny sandbox with every isolation flag we use, to learn whether bwrap works here. */
export function bwrapProbeArgs(layout: HostLayout, user: { uid: number; gid: number }): string[] {
  return [
    ...ISOLATION,
    '--uid',
    String(user.uid),
    '--gid',
    String(user.gid),
    '--hostname',
    'probe',
    ...systemDirs(layout),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    ...NO_NESTED_USERNS,
    '--',
    '/usr/bin/true',
  ];
}

/** Turns a failed probe into what to install or change. */
export function explainBwrapFailure(failure: { errorCode?: string; stderr: string }): string {
  const stderr = failure.stderr.trim();
  if (failure.errorCode === 'ENOENT') {
    return 'bubblewrap is not installed (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)';
  }
  if (/unknown option|unrecognized option/i.test(stderr)) {
    return `bubblewrap is too old (${stderr}); version 0.8 or newer is needed (--disable-userns)`;
  }
  if (/namespace|uid map|Permission denied|Operation not permitted/i.test(stderr)) {
    return (
      `bubblewrap cannot create user namespaces here (${stderr}). Unprivileged user namespaces ` +
      'are disabled: on Ubuntu 23.10+/24.04 run `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` ' +
      '(or add an AppArmor profile for bwrap); on older Debian `sysctl -w kernel.unprivileged_userns_clone=1`; ' +
      'check that user.max_user_namespaces > 0; inside Docker the default seccomp profile blocks them'
    );
  }
  return `bubblewrap failed to start a test sandbox (${stderr || failure.errorCode || 'no output'})`;
}
