/**
 * What a sandbox may see and do, as plain data. Built by the pure policy in `policy.ts`, turned
 * into a command line by one adapter per runtime. Nothing outside this spec reaches a sandbox.
 */

export type MountMode = 'ro' | 'rw';

export interface Mount {
  /** Absolute host path (already resolved and validated). */
  hostPath: string;
  /** Absolute path inside the sandbox. */
  sandboxPath: string;
  mode: MountMode;
}

export interface SandboxLimits {
  /** Memory cap in MiB (container runtimes; bwrap: address-space rlimit). */
  memoryMb: number;
  /** CPU cap in cores (container runtimes only). */
  cpus: number;
  /** Max processes/threads (container pids cgroup; bwrap: RLIMIT_NPROC). */
  pids: number;
  /** Size of the /tmp tmpfs in MiB. */
  tmpMb: number;
  /** Cap on how much one run's own folders may grow, in MiB (enforced by the host). */
  diskMb: number;
  /** Entries per folder the disk measure may walk; a folder with more counts as over the cap. */
  diskScanEntries: number;
  /** Cap on everything the runner prints on stdout in one run, in MiB (enforced by the host). */
  outputMb: number;
  /** Wall-clock cap for the whole run in ms (enforced by the host). */
  timeoutMs: number;
}

export interface SandboxSpec {
  /** Recognizable, unique name: `nanoclaw-<folder>-<runId>`. */
  name: string;
  /** Label value identifying this host instance, for orphan cleanup. */
  instance: string;
  /** The group folder this sandbox serves (a label for container runtimes). */
  group: string;
  /** Files and directories visible inside, in mount order. */
  mounts: Mount[];
  /** The complete environment inside (nothing is inherited). */
  env: Record<string, string>;
  /** Working directory inside. */
  cwd: string;
  /** Unprivileged uid/gid inside the sandbox. */
  user: { uid: number; gid: number };
  /** HOME inside (a fresh tmpfs). */
  home: string;
  /** Hostname inside (own uts namespace). */
  hostname: string;
  limits: SandboxLimits;
  /** The program to run inside, argv[0] first. */
  command: string[];
}

/** Paths of the fixed sandbox layout (see docs/ARCHITECTURE.md, "Sandbox view"). */
export const SANDBOX_PATHS = {
  group: '/workspace/group',
  global: '/workspace/global',
  extra: '/workspace/extra',
  /** A worker's own scratch folder (writable; gone when the worker ends). */
  scratch: '/workspace/scratch',
  project: '/workspace/project',
  home: '/home/agent',
  claudeHome: '/home/agent/.claude',
  app: '/opt/nanoclaw',
  node: '/opt/node/bin/node',
  gatewayDir: '/run/nanoclaw',
} as const;
