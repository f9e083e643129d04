/**
 * Docker / Podman command lines for a SandboxSpec (pure). Every privilege and the network are
 * dropped, the root filesystem is read-only and only the spec's data mounts are bound. Node and
 * the runner come from the agent image, not the host: node_modules holds platform-specific
 * native code (the Claude CLI binary, better-sqlite3) that cannot run in a Linux container when
 * the host is macOS, and the image pins the exact build that `nanoclaw image build` staged.
 */
import { SANDBOX_PATHS, type Mount, type SandboxSpec } from './spec.js';

export type Engine = 'docker' | 'podman';

export const INSTANCE_LABEL = 'nanoclaw.instance';
export const GROUP_LABEL = 'nanoclaw.group';

/** Mounts the agent image provides itself (node and the runner under /opt). */
export function fromImage(mount: Mount): boolean {
  return (
    mount.sandboxPath === SANDBOX_PATHS.node ||
    mount.sandboxPath === SANDBOX_PATHS.app ||
    mount.sandboxPath.startsWith(`${SANDBOX_PATHS.app}/`)
  );
}

/**
 * Only what an engine CLI needs to find its daemon and config: never the host's secrets
 * (the CLI would not pass them on, but it also has no reason to hold them).
 */
export function engineEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CONTEXT',
    'XDG_RUNTIME_DIR',
    'CONTAINER_HOST',
    'CONTAINERS_CONF',
  ];
  const out: Record<string, string> = {};
  for (const key of keep) {
    const value = env[key];
    if (value) out[key] = value;
  }
  return out;
}

function limitArgs(engine: Engine, spec: SandboxSpec): string[] {
  const memory = `${spec.limits.memoryMb}m`;
  const args = [
    '--memory',
    memory,
    // Same as --memory: no extra swap on top of the cap.
    '--memory-swap',
    memory,
    '--cpus',
    String(spec.limits.cpus),
    '--pids-limit',
    String(spec.limits.pids),
  ];
  // Podman's default rlimits (nofile 1048576) exceed the hard limits of hosts whose root lacks
  // CAP_SYS_RESOURCE, and the container then fails to start; these values are known to work.
  if (engine === 'podman')
    args.push('--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=4096:4096');
  return args;
}

/** `<engine> run …` for a spec. */
export function containerRunArgs(engine: Engine, spec: SandboxSpec, image: string): string[] {
  const { uid, gid } = spec.user;
  // mode=1777 rather than uid=/gid=: not every engine's --tmpfs parser accepts those options.
  const tmpfs = `rw,nosuid,nodev,size=${spec.limits.tmpMb}m,mode=1777`;
  const args = [
    'run',
    '--rm',
    '-i',
    // An init reaps the agent's orphaned children (tool subprocesses).
    '--init',
    '--name',
    spec.name,
    '--label',
    `${INSTANCE_LABEL}=${spec.instance}`,
    '--label',
    `${GROUP_LABEL}=${spec.group}`,
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
    `/tmp:${tmpfs}`,
    '--tmpfs',
    `${spec.home}:${tmpfs}`,
    ...limitArgs(engine, spec),
  ];
  for (const [key, value] of Object.entries(spec.env)) args.push('-e', `${key}=${value}`);
  for (const mount of spec.mounts) {
    if (fromImage(mount)) continue;
    // The policy refuses host paths with ":" or ",", so this form is unambiguous.
    args.push('-v', `${mount.hostPath}:${mount.sandboxPath}${mount.mode === 'ro' ? ':ro' : ''}`);
  }
  args.push('-w', spec.cwd, image, ...spec.command);
  return args;
}

/** Lists this instance's containers (running or not) by label. */
export function containerOrphanListArgs(instance: string): string[] {
  return ['ps', '-aq', '--filter', `label=${INSTANCE_LABEL}=${instance}`];
}

/** Stops and removes a container by name or id (also one still being created). */
export function containerRemoveArgs(names: readonly string[]): string[] {
  return ['rm', '-f', ...names];
}
