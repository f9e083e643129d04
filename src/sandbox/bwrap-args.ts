/**
 * The bubblewrap command line for a SandboxSpec (pure). Every namespace is unshared, the
 * environment is cleared and only the spec's mounts exist. bwrap runs as the unprivileged
 * sandbox uid, so every mount source must be reachable by that uid (the host checks this at
 * start-up); generated files (passwd, group, hosts) come through pipes.
 */
import type { SandboxSpec } from './spec.js';

export interface BwrapPlan {
  args: string[];
  /** Contents to write into the child's extra pipes (fd 3, 4, …), in order. */
  data: string[];
}

/** Facts about the host's root filesystem that shape the command line. */
export interface HostLayout {
  /** Top-level dirs that are symlinks into /usr on this host (merged /usr), with their targets. */
  usrSymlinks: Record<string, string>;
  /** Top-level system dirs that exist as real directories (non-merged /usr). */
  realDirs: string[];
  /** /etc entries that exist on this host, bound read-only. */
  etcEntries: string[];
}

/** The /etc entries a sandbox may see; everything else in /etc stays hidden. */
export const ETC_ALLOWLIST = [
  '/etc/ssl',
  '/etc/ca-certificates',
  '/etc/nsswitch.conf',
  '/etc/localtime',
  '/etc/ld.so.cache',
] as const;

export function bwrapArgs(spec: SandboxSpec, layout: HostLayout): BwrapPlan {
  const data: string[] = [];
  const fd = (content: string) => String(3 + data.push(content) - 1);
  const { uid, gid } = spec.user;
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--unshare-cgroup',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--uid',
    String(uid),
    '--gid',
    String(gid),
    '--hostname',
    spec.hostname,
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const [dir, target] of Object.entries(layout.usrSymlinks))
    args.push('--symlink', target, dir);
  for (const dir of layout.realDirs) args.push('--ro-bind', dir, dir);
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
    '--size',
    String(spec.limits.tmpMb * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    '--tmpfs',
    '/home',
    '--dir',
    spec.home,
  );
  for (const mount of spec.mounts) {
    args.push(mount.mode === 'rw' ? '--bind' : '--ro-bind', mount.hostPath, mount.sandboxPath);
  }
  args.push('--chdir', spec.cwd);
  for (const [key, value] of Object.entries(spec.env)) args.push('--setenv', key, value);
  // No nested namespaces: the agent cannot build itself a new user namespace inside.
  args.push('--disable-userns', '--assert-userns-disabled', '--', ...spec.command);
  return { args, data };
}
