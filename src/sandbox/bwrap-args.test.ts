import { describe, expect, it } from 'vitest';
import {
  bwrapArgs,
  bwrapLaunch,
  CGROUP_JOIN_SCRIPT,
  bwrapProbeArgs,
  explainBwrapFailure,
  type HostLayout,
} from './bwrap-args.js';
import { policyInput } from '../../test/support/sandbox.js';
import { buildSandboxSpec } from './policy.js';

const spec = buildSandboxSpec(
  policyInput({ extraMounts: [{ hostPath: '/srv/notes', name: 'notes', mode: 'ro' }] }),
);

const merged: HostLayout = {
  usrSymlinks: { '/bin': 'usr/bin', '/lib': 'usr/lib' },
  realDirs: [],
  etcEntries: ['/etc/ssl', '/etc/localtime'],
  tmpfsSize: true,
  prlimit: '/usr/bin/prlimit',
  setpriv: '/usr/bin/setpriv',
};

/** The values following each occurrence of a flag (n of them). */
const after = (args: string[], flag: string, n = 1) =>
  args.flatMap((a, i) => (a === flag ? [args.slice(i + 1, i + 1 + n).join(' ')] : []));

describe('bubblewrap arguments', () => {
  const { args, data } = bwrapArgs(spec, merged);

  it('unshares every namespace, clears the env and forbids nested user namespaces', () => {
    const flags = [
      '--unshare-all',
      '--unshare-user',
      '--unshare-cgroup',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      '--disable-userns',
      '--assert-userns-disabled',
    ];
    for (const flag of flags) expect(args.slice(0, args.indexOf('--'))).toContain(flag);
    expect(args).not.toContain('--share-net');
    expect(after(args, '--uid')).toEqual(['1000']);
    expect(after(args, '--gid')).toEqual(['1001']);
    expect(after(args, '--hostname')).toEqual(['nanoclaw']);
  });

  it('binds /usr, the allowed /etc entries and every spec mount with its mode, nothing else', () => {
    const binds = args.flatMap((a, i) =>
      a === '--bind' || a === '--ro-bind' ? [`${a} ${args[i + 1]} ${args[i + 2]}`] : [],
    );
    expect(binds).toEqual([
      '--ro-bind /usr /usr',
      '--ro-bind /etc/ssl /etc/ssl',
      '--ro-bind /etc/localtime /etc/localtime',
      ...spec.mounts.map(
        (m) => `${m.mode === 'rw' ? '--bind' : '--ro-bind'} ${m.hostPath} ${m.sandboxPath}`,
      ),
    ]);
    expect(binds).toContain('--bind /d/groups/family /workspace/group');
    expect(binds).toContain('--ro-bind /d/groups/global /workspace/global');
    expect(binds).toContain('--ro-bind /srv/notes /workspace/extra/notes');
    expect(binds.some((b) => / \/etc \/etc$/.test(b))).toBe(false);
  });

  it('links merged-/usr dirs, or binds them read-only on hosts without merged /usr', () => {
    expect(after(args, '--symlink', 2)).toEqual(['usr/bin /bin', 'usr/lib /lib']);
    const split = bwrapArgs(spec, { ...merged, usrSymlinks: {}, realDirs: ['/bin', '/lib64'] });
    expect(after(split.args, '--symlink', 2)).toEqual([]);
    expect(after(split.args, '--ro-bind', 2)).toContain('/bin /bin');
    expect(after(split.args, '--ro-bind', 2)).toContain('/lib64 /lib64');
  });

  it('generates passwd, group and hosts through fds 3, 4, 5', () => {
    expect(after(args, '--ro-bind-data', 2)).toEqual([
      '3 /etc/passwd',
      '4 /etc/group',
      '5 /etc/hosts',
    ]);
    expect(data).toEqual([
      'agent:x:1000:1001:agent:/home/agent:/bin/sh\n',
      'agent:x:1001:\n',
      '127.0.0.1 localhost nanoclaw\n::1 localhost\n',
    ]);
  });

  it('mounts fresh proc, dev and sized tmpfs /tmp and /home before the spec mounts', () => {
    expect(after(args, '--proc')).toEqual(['/proc']);
    expect(after(args, '--dev')).toEqual(['/dev']);
    const bytes = String(64 * 1024 * 1024);
    expect(after(args, '--size', 3)).toEqual([`${bytes} --tmpfs /tmp`, `${bytes} --tmpfs /home`]);
    expect(after(args, '--dir')).toEqual(['/home/agent']);
    expect(args.indexOf('/home')).toBeLessThan(args.indexOf('/home/agent/.claude'));
    const unsized = bwrapArgs(spec, { ...merged, tmpfsSize: false }).args;
    expect(unsized).not.toContain('--size');
    expect(after(unsized, '--tmpfs')).toEqual(['/tmp', '/home']);
  });

  it('sets exactly the spec env (with the instance marker) and runs the command after --', () => {
    const env = Object.fromEntries(
      args.flatMap((a, i) => (a === '--setenv' ? [[args[i + 1], args[i + 2]]] : [])),
    );
    expect(env).toEqual(spec.env);
    expect(env.NANOCLAW_INSTANCE).toBe('inst');
    expect(after(args, '--chdir')).toEqual(['/workspace/group']);
    expect(after(args, '--remount-ro')).toEqual(['/']);
    expect(args.indexOf('--remount-ro')).toBeGreaterThan(args.lastIndexOf('--bind'));
    expect(args.slice(args.indexOf('--') + 1)).toEqual(spec.command);
    expect(args.indexOf('--disable-userns')).toBeLessThan(args.indexOf('--'));
  });

  it('marks the instance even when a spec lacks it in env', () => {
    const bare = { ...spec, env: { HOME: '/home/agent' } };
    expect(after(bwrapArgs(bare, merged).args, '--setenv', 2)).toContain('NANOCLAW_INSTANCE inst');
  });
});

describe('bubblewrap launch', () => {
  it('as root: spawns as the sandbox uid, through prlimit with nproc and no core files', () => {
    const launch = bwrapLaunch(spec, merged, { uid: 0 });
    expect(launch.spawnAs).toEqual({ uid: 1000, gid: 1001 });
    expect(launch.command).toBe('/usr/bin/prlimit');
    expect(launch.args.slice(0, 4)).toEqual(['--core=0', '--nproc=128', '--', 'bwrap']);
    expect(launch.args.slice(4)).toEqual(bwrapArgs(spec, merged).args);
  });

  it('as a regular user: spawns as itself and leaves nproc alone (it would count the user)', () => {
    const launch = bwrapLaunch(spec, merged, { uid: 1000 });
    expect(launch.spawnAs).toBeUndefined();
    expect(launch.args.slice(0, 3)).toEqual(['--core=0', '--', 'bwrap']);
  });

  it('runs bwrap directly without prlimit, still dropping to the sandbox uid as root', () => {
    const launch = bwrapLaunch(spec, { ...merged, prlimit: undefined }, { uid: 0 }, '/opt/bwrap');
    expect(launch.command).toBe('/opt/bwrap');
    expect(launch.args).toEqual(bwrapArgs(spec, merged).args);
    expect(launch.spawnAs).toEqual({ uid: 1000, gid: 1001 });
  });

  it('with cgroups: a root shell joins them, then setpriv drops to the sandbox uid, no nproc', () => {
    const procs = ['/cg/pids/x/cgroup.procs', '/cg/memory/x/cgroup.procs'];
    const launch = bwrapLaunch(spec, merged, { uid: 0, cgroupProcs: procs });
    expect(launch.command).toBe('/bin/sh');
    expect(launch.spawnAs).toBeUndefined();
    expect(launch.args.slice(0, 6)).toEqual([
      '-c',
      CGROUP_JOIN_SCRIPT,
      'nanoclaw-join',
      '2',
      ...procs,
    ]);
    const rest = launch.args.slice(6);
    expect(rest.slice(0, 7)).toEqual([
      '/usr/bin/setpriv',
      '--reuid=1000',
      '--regid=1001',
      '--clear-groups',
      '--inh-caps=-all',
      '--bounding-set=-all',
      '--',
    ]);
    expect(rest.slice(7, 11)).toEqual(['/usr/bin/prlimit', '--core=0', '--', 'bwrap']);
    expect(rest.slice(11)).toEqual(bwrapArgs(spec, merged).args);
    expect(launch.args.some((a) => a.startsWith('--nproc'))).toBe(false);
  });

  it('ignores cgroups when not root or without setpriv (rlimits instead)', () => {
    const procs = ['/cg/pids/x/cgroup.procs'];
    const user = bwrapLaunch(spec, merged, { uid: 1000, cgroupProcs: procs });
    expect(user.args.slice(0, 3)).toEqual(['--core=0', '--', 'bwrap']);
    const noSetpriv = bwrapLaunch(
      spec,
      { ...merged, setpriv: undefined },
      { uid: 0, cgroupProcs: procs },
    );
    expect(noSetpriv.spawnAs).toEqual({ uid: 1000, gid: 1001 });
    expect(noSetpriv.args).toContain('--nproc=128');
  });

  it('never sets an address-space limit', () => {
    expect(bwrapLaunch(spec, merged, { uid: 0 }).args.some((a) => /^--as(=|$)/.test(a))).toBe(
      false,
    );
  });
});

describe('bubblewrap probe', () => {
  it('tries every isolation flag the real sandboxes use', () => {
    const args = bwrapProbeArgs(merged, { uid: 1000, gid: 1000 });
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--unshare-cgroup',
      '--disable-userns',
    ]) {
      expect(args).toContain(flag);
    }
    expect(args.slice(-2)).toEqual(['--', '/usr/bin/true']);
  });

  it('says what to install or change', () => {
    expect(explainBwrapFailure({ errorCode: 'ENOENT', stderr: '' })).toMatch(
      /apt-get install bubblewrap/,
    );
    expect(explainBwrapFailure({ stderr: 'bwrap: setting up uid map: Permission denied' })).toMatch(
      /kernel\.apparmor_restrict_unprivileged_userns=0/,
    );
    expect(
      explainBwrapFailure({
        stderr:
          'bwrap: No permissions to creating new namespace, likely because the kernel does not allow non-privileged user namespaces.',
      }),
    ).toMatch(/unprivileged_userns_clone=1/);
    expect(explainBwrapFailure({ stderr: 'bwrap: Unknown option --disable-userns' })).toMatch(
      /too old/,
    );
    expect(explainBwrapFailure({ stderr: 'something else' })).toMatch(/something else/);
  });
});
