/**
 * Command lines per runtime. Apple Container cannot run on this Linux machine, so its command
 * line is checked here and nowhere else; Docker/Podman also run for real in
 * test/sandbox-docker.test.ts when a daemon is reachable.
 */
import { describe, expect, it } from 'vitest';
import { bwrapArgs } from './bwrap-args.js';
import { appleRunArgs, containerRunArgs } from './container-args.js';
import { buildSandboxSpec } from './policy.js';

const spec = buildSandboxSpec({
  runId: 'r1',
  instance: 'inst',
  group: { folder: 'family', isMain: false },
  hostPaths: {
    appRoot: '/opt/app',
    nodeBinary: '/usr/bin/node',
    groupDir: '/d/groups/family',
    globalDir: '/d/groups/global',
    claudeHome: '/d/sessions/family',
    gatewayDir: '/d/run/gateway',
  },
  user: { uid: 1000, gid: 1000 },
  limits: { memoryMb: 512, cpus: 1.5, pids: 128, tmpMb: 64, timeoutMs: 60_000 },
  timezone: 'UTC',
});

const pairs = (args: string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('bubblewrap arguments', () => {
  const layout = { usrSymlinks: { '/bin': 'usr/bin' }, realDirs: [], etcEntries: ['/etc/ssl'] };
  const plan = bwrapArgs(spec, layout);

  it('unshares every namespace, clears the env and forbids nested user namespaces', () => {
    for (const flag of [
      '--unshare-all',
      '--unshare-user',
      '--unshare-cgroup',
      '--die-with-parent',
      '--new-session',
      '--clearenv',
      '--disable-userns',
    ]) {
      expect(plan.args).toContain(flag);
    }
    expect(pairs(plan.args, '--uid')).toEqual(['1000']);
  });

  it('binds every spec mount with its mode, and nothing else from the host', () => {
    const binds = plan.args.flatMap((a, i) =>
      a === '--bind' || a === '--ro-bind' ? [`${a} ${plan.args[i + 1]} ${plan.args[i + 2]}`] : [],
    );
    expect(binds).toEqual([
      '--ro-bind /usr /usr',
      '--ro-bind /etc/ssl /etc/ssl',
      ...spec.mounts.map(
        (m) => `${m.mode === 'rw' ? '--bind' : '--ro-bind'} ${m.hostPath} ${m.sandboxPath}`,
      ),
    ]);
    expect(plan.data).toHaveLength(3); // generated passwd, group, hosts
  });

  it('sets exactly the spec env and runs the command after --', () => {
    const env = Object.fromEntries(
      plan.args.flatMap((a, i) => (a === '--setenv' ? [[plan.args[i + 1], plan.args[i + 2]]] : [])),
    );
    expect(env).toEqual(spec.env);
    expect(plan.args.slice(plan.args.indexOf('--') + 1)).toEqual(spec.command);
  });

  it('sizes /tmp', () => {
    const i = plan.args.indexOf('--size');
    expect(plan.args.slice(i, i + 4)).toEqual([
      '--size',
      String(64 * 1024 * 1024),
      '--tmpfs',
      '/tmp',
    ]);
  });
});

describe('docker / podman arguments', () => {
  const docker = containerRunArgs('docker', spec, 'img:1');

  it('drops every privilege and the network', () => {
    for (const flag of ['--rm', '-i', '--init', '--read-only']) expect(docker).toContain(flag);
    expect(pairs(docker, '--cap-drop')).toEqual(['ALL']);
    expect(pairs(docker, '--security-opt')).toEqual(['no-new-privileges']);
    expect(pairs(docker, '--network')).toEqual(['none']);
    expect(pairs(docker, '--user')).toEqual(['1000:1000']);
  });

  it('applies the limits and labels', () => {
    expect(pairs(docker, '--memory')).toEqual(['512m']);
    expect(pairs(docker, '--cpus')).toEqual(['1.5']);
    expect(pairs(docker, '--pids-limit')).toEqual(['128']);
    expect(pairs(docker, '--label')).toContain('nanoclaw.instance=inst');
    expect(pairs(docker, '--name')).toEqual(['nanoclaw-family-r1']);
  });

  it('mounts group data but takes node and the runner from the image', () => {
    expect(pairs(docker, '-v')).toEqual([
      '/d/groups/family:/workspace/group',
      '/d/groups/global:/workspace/global:ro',
      '/d/sessions/family:/home/agent/.claude',
      '/d/run/gateway:/run/nanoclaw:ro',
    ]);
    expect(docker.slice(docker.indexOf('img:1'))).toEqual(['img:1', ...spec.command]);
  });

  it('pins podman ulimits', () => {
    expect(pairs(containerRunArgs('podman', spec, 'img:1'), '--ulimit')).toEqual([
      'nofile=20000:20000',
      'nproc=4096:4096',
    ]);
  });
});

describe('apple container arguments (cannot run here: macOS only)', () => {
  const apple = appleRunArgs(spec, 'img:1');
  it('uses --mount with readonly for ro mounts and the spec env', () => {
    expect(pairs(apple, '--mount')).toContain(
      'type=bind,source=/d/groups/global,target=/workspace/global,readonly',
    );
    expect(pairs(apple, '--mount')).toContain(
      'type=bind,source=/d/groups/family,target=/workspace/group',
    );
    expect(pairs(apple, '--env')).toContain('HOME=/home/agent');
    expect(pairs(apple, '--user')).toEqual(['1000:1000']);
    expect(apple.slice(-3)).toEqual(['img:1', ...spec.command]);
  });
});
