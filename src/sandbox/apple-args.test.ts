/**
 * Apple Container command lines. Apple Container runs only on macOS 26+ (Apple silicon), so it
 * CANNOT run on this Linux machine or in CI: these unit tests are all the coverage it gets here.
 */
import { describe, expect, it } from 'vitest';
import { appleInstanceContainers, appleRunArgs } from './apple-args.js';
import { policyInput } from '../../test/support/sandbox.js';
import { buildSandboxSpec } from './policy.js';

const spec = buildSandboxSpec(
  policyInput({
    hostPaths: { ...policyInput().hostPaths, nodeBinary: '/usr/local/bin/node' },
    user: { uid: 501, gid: 20 },
    limits: { ...policyInput().limits, memoryMb: 2048 },
  }),
);

const after = (args: string[], flag: string) =>
  args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));

describe('apple container arguments (macOS only: not runnable here)', () => {
  const apple = appleRunArgs(spec, 'img:1');

  it('runs removable, interactive, named and labelled, as the unprivileged user', () => {
    expect(apple.slice(0, 4)).toEqual(['run', '--rm', '-i', '--name']);
    expect(after(apple, '--name')).toEqual(['nanoclaw-family-r1']);
    expect(after(apple, '--label')).toEqual(['nanoclaw.instance=inst', 'nanoclaw.group=family']);
    expect(after(apple, '--user')).toEqual(['501:20']);
  });

  it('sizes the VM (whole CPUs, rounded up) and gives it a tmpfs /tmp', () => {
    expect(after(apple, '--memory')).toEqual(['2048M']);
    expect(after(apple, '--cpus')).toEqual(['2']);
    expect(after(apple, '--tmpfs')).toEqual(['/tmp']);
  });

  it('binds data dirs with --mount (readonly for ro), not node, the runner or the socket dir', () => {
    expect(after(apple, '--mount')).toEqual([
      'type=bind,source=/d/groups/family,target=/workspace/group',
      'type=bind,source=/d/groups/global,target=/workspace/global,readonly',
      'type=bind,source=/d/sessions/family,target=/home/agent/.claude',
    ]);
  });

  it('passes exactly the spec env and runs the command in the group folder', () => {
    expect(after(apple, '--env')).toEqual(Object.entries(spec.env).map(([k, v]) => `${k}=${v}`));
    expect(after(apple, '--workdir')).toEqual(['/workspace/group']);
    expect(apple.slice(apple.indexOf('img:1'))).toEqual(['img:1', ...spec.command]);
  });

  it('has no network isolation flag to pass (egress control rests on the gateway)', () => {
    expect(apple).not.toContain('--network');
  });
});

describe('apple container orphan listing', () => {
  it('picks this instance’s containers from `container list --format json`', () => {
    const json = JSON.stringify([
      { configuration: { id: 'a', labels: { 'nanoclaw.instance': 'inst' } }, status: 'running' },
      { configuration: { id: 'b', labels: { 'nanoclaw.instance': 'other' } } },
      { configuration: { id: 'c' } },
    ]);
    expect(appleInstanceContainers(json, 'inst')).toEqual(['a']);
  });

  it('fails closed on output it does not understand', () => {
    expect(() => appleInstanceContainers('{"not":"a list"}', 'inst')).toThrow();
    expect(() => appleInstanceContainers('garbage', 'inst')).toThrow();
  });
});
