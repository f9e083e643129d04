/**
 * Docker / Podman command lines. These also run for real in test/sandbox-docker.test.ts when a
 * Docker daemon and the agent image are available; here they are checked everywhere.
 */
import { describe, expect, it } from 'vitest';
import {
  containerOrphanListArgs,
  containerRemoveArgs,
  containerRunArgs,
  engineEnv,
  fromImage,
} from './container-args.js';
import { policyInput } from '../../test/support/sandbox.js';
import { buildSandboxSpec } from './policy.js';

const spec = buildSandboxSpec(
  policyInput({ extraMounts: [{ hostPath: '/srv/out', name: 'out', mode: 'rw' }] }),
);

const after = (args: string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('docker / podman run arguments', () => {
  const docker = containerRunArgs('docker', spec, 'img:1');
  const podman = containerRunArgs('podman', spec, 'img:1');

  it('drops every privilege and the network, with an init and a read-only root', () => {
    for (const args of [docker, podman]) {
      expect(args.slice(0, 4)).toEqual(['run', '--rm', '-i', '--init']);
      expect(args).toContain('--read-only');
      expect(after(args, '--cap-drop')).toEqual(['ALL']);
      expect(after(args, '--security-opt')).toEqual(['no-new-privileges']);
      expect(after(args, '--network')).toEqual(['none']);
      expect(after(args, '--user')).toEqual(['1000:1001']);
      expect(after(args, '--hostname')).toEqual(['nanoclaw']);
    }
  });

  it('applies the limits, the sized tmpfs mounts, the name and the labels', () => {
    expect(after(docker, '--memory')).toEqual(['512m']);
    expect(after(docker, '--memory-swap')).toEqual(['512m']);
    expect(after(docker, '--cpus')).toEqual(['1.5']);
    expect(after(docker, '--pids-limit')).toEqual(['128']);
    expect(after(docker, '--tmpfs')).toEqual([
      '/tmp:rw,nosuid,nodev,size=64m,mode=1777',
      '/home/agent:rw,nosuid,nodev,size=64m,mode=1777',
    ]);
    expect(after(docker, '--name')).toEqual(['nanoclaw-family-r1']);
    expect(after(docker, '--label')).toEqual(['nanoclaw.instance=inst', 'nanoclaw.group=family']);
  });

  it('passes exactly the spec env', () => {
    expect(after(docker, '-e')).toEqual(Object.entries(spec.env).map(([k, v]) => `${k}=${v}`));
  });

  it('mounts group data with its modes but takes node and the runner from the image', () => {
    expect(after(docker, '-v')).toEqual([
      '/d/groups/family:/workspace/group',
      '/d/groups/global:/workspace/global:ro',
      '/d/sessions/family:/home/agent/.claude',
      '/d/run/gateway:/run/nanoclaw:ro',
      '/srv/out:/workspace/extra/out',
    ]);
    expect(docker.join(' ')).not.toContain('/opt/app');
    expect(after(docker, '-w')).toEqual(['/workspace/group']);
    expect(docker.slice(docker.indexOf('img:1'))).toEqual(['img:1', ...spec.command]);
  });

  it('pins podman rlimits (its defaults exceed some hosts’ hard limits); docker has none', () => {
    expect(after(podman, '--ulimit')).toEqual(['nofile=20000:20000', 'nproc=4096:4096']);
    expect(after(docker, '--ulimit')).toEqual([]);
  });

  it('knows which mounts the image provides', () => {
    const m = (sandboxPath: string) => ({ hostPath: '/x', sandboxPath, mode: 'ro' as const });
    expect(fromImage(m('/opt/node/bin/node'))).toBe(true);
    expect(fromImage(m('/opt/nanoclaw/dist'))).toBe(true);
    expect(fromImage(m('/opt/nanoclaw'))).toBe(true);
    expect(fromImage(m('/opt/nanoclawx'))).toBe(false);
    expect(fromImage(m('/workspace/group'))).toBe(false);
  });
});

describe('docker / podman housekeeping', () => {
  it('finds and removes containers by instance label', () => {
    expect(containerOrphanListArgs('inst')).toEqual([
      'ps',
      '-aq',
      '--filter',
      'label=nanoclaw.instance=inst',
    ]);
    expect(containerRemoveArgs(['a', 'b'])).toEqual(['rm', '-f', 'a', 'b']);
  });

  it('gives the engine CLI only what it needs to reach its daemon', () => {
    const env = engineEnv({
      PATH: '/usr/bin',
      HOME: '/root',
      DOCKER_HOST: 'unix:///x.sock',
      XDG_RUNTIME_DIR: '/run/user/0',
      CONTAINER_HOST: 'unix:///p.sock',
      DOCKER_CONFIG: '/cfg',
      ANTHROPIC_API_KEY: 'sk-test-secret',
      CLAUDE_CODE_OAUTH_TOKEN: 'tok',
      NODE_EXTRA_CA_CERTS: '/ca.pem',
      EMPTY: '',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      DOCKER_HOST: 'unix:///x.sock',
      XDG_RUNTIME_DIR: '/run/user/0',
      CONTAINER_HOST: 'unix:///p.sock',
      DOCKER_CONFIG: '/cfg',
    });
  });
});
