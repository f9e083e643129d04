/**
 * Docker / Podman / Apple Container command lines for a SandboxSpec (pure). The agent image
 * already holds node and the runner (platform-specific node_modules cannot be bind-mounted from
 * a macOS host into Linux), so mounts under /opt are taken from the image, not the host.
 */
import { SANDBOX_PATHS, type Mount, type SandboxSpec } from './spec.js';

export type Engine = 'docker' | 'podman';

/** Mounts the image provides itself. */
export function fromImage(mount: Mount): boolean {
  return (
    mount.sandboxPath === SANDBOX_PATHS.node ||
    mount.sandboxPath.startsWith(`${SANDBOX_PATHS.app}/`)
  );
}

const INSTANCE_LABEL = 'nanoclaw.instance';

export function containerRunArgs(engine: Engine, spec: SandboxSpec, image: string): string[] {
  const { uid, gid } = spec.user;
  const args = [
    'run',
    '--rm',
    '-i',
    '--init',
    '--name',
    spec.name,
    '--label',
    `${INSTANCE_LABEL}=${spec.instance}`,
    '--label',
    `nanoclaw.sandbox=${spec.name}`,
    '--user',
    `${uid}:${gid}`,
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--read-only',
    '--network',
    'none',
    '--hostname',
    spec.hostname,
    '--tmpfs',
    `/tmp:rw,nosuid,nodev,size=${spec.limits.tmpMb}m,mode=1777`,
    '--tmpfs',
    `${spec.home}:rw,nosuid,nodev,size=64m,uid=${uid},gid=${gid},mode=0700`,
    '--memory',
    `${spec.limits.memoryMb}m`,
    '--cpus',
    String(spec.limits.cpus),
    '--pids-limit',
    String(spec.limits.pids),
  ];
  // Podman asks for rlimits above the hard limits on some hosts; pin sane ones.
  if (engine === 'podman')
    args.push('--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=4096:4096');
  for (const [key, value] of Object.entries(spec.env)) args.push('-e', `${key}=${value}`);
  for (const mount of spec.mounts) {
    if (fromImage(mount)) continue;
    args.push('-v', `${mount.hostPath}:${mount.sandboxPath}${mount.mode === 'ro' ? ':ro' : ''}`);
  }
  args.push('-w', spec.cwd, image, ...spec.command);
  return args;
}

export function containerOrphanListArgs(instance: string): string[] {
  return ['ps', '-aq', '--filter', `label=${INSTANCE_LABEL}=${instance}`];
}

/**
 * Apple Container (macOS). It has no `--network none`: the sandbox reaches the gateway over the
 * host address it provides, and egress control rests on the gateway alone. Cannot run on Linux.
 */
export function appleRunArgs(spec: SandboxSpec, image: string): string[] {
  const { uid, gid } = spec.user;
  const args = [
    'run',
    '--rm',
    '-i',
    '--name',
    spec.name,
    '--label',
    `${INSTANCE_LABEL}=${spec.instance}`,
    '--user',
    `${uid}:${gid}`,
    '--memory',
    `${spec.limits.memoryMb}M`,
    '--cpus',
    String(Math.max(1, Math.round(spec.limits.cpus))),
    '--tmpfs',
    '/tmp',
  ];
  for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
  for (const mount of spec.mounts) {
    if (fromImage(mount)) continue;
    const readonly = mount.mode === 'ro' ? ',readonly' : '';
    args.push(
      '--mount',
      `type=bind,source=${mount.hostPath},target=${mount.sandboxPath}${readonly}`,
    );
  }
  args.push('--workdir', spec.cwd, image, ...spec.command);
  return args;
}
