/**
 * The sandbox policy (pure): given a group and the host's paths, exactly what its sandbox sees.
 * Nothing else reaches a sandbox: no inherited environment, no host path outside these mounts,
 * no secret in any form (credentials are injected by the gateway on the way out).
 */
import path from 'node:path';
import { validateFolder } from '../store/groups.js';
import { SANDBOX_PATHS, type Mount, type SandboxLimits, type SandboxSpec } from './spec.js';

export interface SandboxPolicyInput {
  runId: string;
  instance: string;
  group: { folder: string; isMain: boolean };
  hostPaths: {
    /** Holds dist/, node_modules/ and package.json of the installed NanoClaw. */
    appRoot: string;
    /** Real path of the host's node binary. */
    nodeBinary: string;
    groupDir: string;
    globalDir: string;
    /** The group's Claude home (sessions, settings). */
    claudeHome: string;
    /** The directory holding only the gateway socket. */
    gatewayDir: string;
  };
  user: { uid: number; gid: number };
  limits: SandboxLimits;
  timezone: string;
  /** Already validated against the mount allowlist; mounted under /workspace/extra. */
  extraMounts?: readonly { hostPath: string; name: string; mode: 'ro' | 'rw' }[];
}

const NAME_SAFE = /[^A-Za-z0-9_.-]/g;

/** `nanoclaw-<folder>-<runId>`, restricted to what container runtimes accept (≤ 63 chars). */
export function sandboxName(folder: string, runId: string): string {
  const id = runId.replace(NAME_SAFE, '').slice(0, 16);
  const room = 63 - 'nanoclaw--'.length - id.length;
  return `nanoclaw-${folder.replace(NAME_SAFE, '').slice(0, room)}-${id}`;
}

export function buildSandboxSpec(input: SandboxPolicyInput): SandboxSpec {
  const folder = validateFolder(input.group.folder);
  const { hostPaths: host } = input;
  const app = SANDBOX_PATHS.app;
  const mounts: Mount[] = [
    { hostPath: host.nodeBinary, sandboxPath: SANDBOX_PATHS.node, mode: 'ro' },
    {
      hostPath: path.join(host.appRoot, 'package.json'),
      sandboxPath: `${app}/package.json`,
      mode: 'ro',
    },
    { hostPath: path.join(host.appRoot, 'dist'), sandboxPath: `${app}/dist`, mode: 'ro' },
    {
      hostPath: path.join(host.appRoot, 'node_modules'),
      sandboxPath: `${app}/node_modules`,
      mode: 'ro',
    },
    { hostPath: host.groupDir, sandboxPath: SANDBOX_PATHS.group, mode: 'rw' },
    // Shared memory: only main may change what every group reads.
    {
      hostPath: host.globalDir,
      sandboxPath: SANDBOX_PATHS.global,
      mode: input.group.isMain ? 'rw' : 'ro',
    },
    { hostPath: host.claudeHome, sandboxPath: SANDBOX_PATHS.claudeHome, mode: 'rw' },
    // connect() works through a read-only bind; the sandbox cannot replace the socket.
    { hostPath: host.gatewayDir, sandboxPath: SANDBOX_PATHS.gatewayDir, mode: 'ro' },
  ];
  for (const extra of input.extraMounts ?? []) {
    mounts.push({
      hostPath: extra.hostPath,
      sandboxPath: `${SANDBOX_PATHS.extra}/${extra.name}`,
      mode: extra.mode,
    });
  }
  const name = sandboxName(folder, input.runId);
  return {
    name,
    instance: input.instance,
    mounts,
    env: {
      HOME: SANDBOX_PATHS.home,
      PATH: '/opt/node/bin:/usr/local/bin:/usr/bin:/bin',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      TZ: input.timezone,
      CLAUDE_CONFIG_DIR: SANDBOX_PATHS.claudeHome,
      NANOCLAW_SANDBOX: name,
      // Not a secret: lets orphan cleanup recognize this installation's sandboxes.
      NANOCLAW_INSTANCE: input.instance,
    },
    cwd: SANDBOX_PATHS.group,
    user: input.user,
    home: SANDBOX_PATHS.home,
    hostname: 'nanoclaw',
    limits: input.limits,
    command: [SANDBOX_PATHS.node, `${app}/dist/agent/main.js`],
  };
}
