/**
 * The sandbox policy (pure): given a group and the host's paths, exactly what its sandbox sees.
 * Nothing else reaches a sandbox: no inherited environment, no host path outside these mounts,
 * no secret in any form (credentials are injected by the gateway on the way out).
 */
import path from 'node:path';
import { UserError } from '../errors.js';
import { validateFolder } from '../store/groups.js';
import type { Shadow } from '../security/shadows.js';
import { SANDBOX_PATHS, type Mount, type SandboxLimits, type SandboxSpec } from './spec.js';

/** An allowlisted extra mount (validated by src/security/mounts.ts), shown at /workspace/extra. */
export interface ExtraMount {
  hostPath: string;
  name: string;
  mode: 'ro' | 'rw';
  /** Entries inside it to cover (blocked names), relative to hostPath. */
  shadows?: readonly Shadow[];
}

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
    /** The group's Claude home (sessions, settings), mounted rw as the Claude config dir. */
    claudeHome: string;
    /** The directory holding only the gateway socket. */
    gatewayDir: string;
    /** Holds an empty file `file` and an empty directory `dir`, both read-only: mounted over
     * entries that must stay hidden (portable, unlike /dev/null, to VM-based runtimes). */
    coverDir: string;
  };
  user: { uid: number; gid: number };
  limits: SandboxLimits;
  timezone: string;
  /** Already validated against the mount allowlist; mounted under /workspace/extra. */
  extraMounts?: readonly ExtraMount[];
  /** The NanoClaw project, read-only at /workspace/project for the main group only. */
  project?: { hostPath: string; shadows: readonly Shadow[] };
  /**
   * A worker of a `delegate` call: its own scratch folder (rw at /workspace/scratch); the
   * group folder (and main's global memory) read-only unless the lead asked for writing.
   */
  worker?: { scratchDir: string; writeGroupFolder: boolean };
}

/** Container runtimes accept names of at most 63 characters from this set. */
const NAME_UNSAFE = /[^A-Za-z0-9_.-]/g;
const NAME_MAX = 63;
const RUN_ID_MAX = 16;
const EXTRA_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INSTANCE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** `-v src:dst:ro` and `--mount a=b,c=d` cannot express these; no real install needs them. */
const PATH_UNSAFE = /[:,\n\r\0]/;

/** `nanoclaw-<folder>-<runId>`, restricted to what container runtimes accept (≤ 63 chars). */
export function sandboxName(folder: string, runId: string): string {
  const id = runId.replace(NAME_UNSAFE, '').slice(0, RUN_ID_MAX);
  const room = NAME_MAX - 'nanoclaw--'.length - id.length;
  return `nanoclaw-${folder.replace(NAME_UNSAFE, '').slice(0, room)}-${id}`;
}

function checkHostPath(label: string, p: string): string {
  if (!path.isAbsolute(p)) throw new UserError(`The ${label} path "${p}" must be absolute.`);
  if (PATH_UNSAFE.test(p)) {
    throw new UserError(
      `The ${label} path "${p}" contains ":", "," or a control character, which sandbox ` +
        'runtimes cannot mount safely. Move it to a plainer path.',
    );
  }
  return path.resolve(p);
}

function checkInput(input: SandboxPolicyInput): void {
  const { uid, gid } = input.user;
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0 || gid <= 0) {
    throw new UserError(`The sandbox user must be an unprivileged uid/gid, not ${uid}:${gid}.`);
  }
  if (!INSTANCE.test(input.instance)) {
    throw new UserError(`Invalid sandbox instance id "${input.instance}".`);
  }
}

function hostPaths(input: SandboxPolicyInput): SandboxPolicyInput['hostPaths'] {
  const h = input.hostPaths;
  return {
    appRoot: checkHostPath('app root', h.appRoot),
    nodeBinary: checkHostPath('node binary', h.nodeBinary),
    groupDir: checkHostPath('group folder', h.groupDir),
    globalDir: checkHostPath('global folder', h.globalDir),
    claudeHome: checkHostPath('Claude home', h.claudeHome),
    gatewayDir: checkHostPath('gateway', h.gatewayDir),
    coverDir: checkHostPath('cover directory', h.coverDir),
  };
}

function extraMounts(extras: readonly ExtraMount[]): Mount[] {
  const seen = new Set<string>();
  return extras.map((extra) => {
    // The name becomes a path segment inside the sandbox: one plain segment, once.
    if (!EXTRA_NAME.test(extra.name) || seen.has(extra.name)) {
      throw new UserError(`Invalid or duplicate extra mount name "${extra.name}".`);
    }
    seen.add(extra.name);
    return {
      hostPath: checkHostPath(`extra mount ${extra.name}`, extra.hostPath),
      sandboxPath: `${SANDBOX_PATHS.extra}/${extra.name}`,
      mode: extra.mode === 'rw' ? 'rw' : 'ro',
    };
  });
}

/**
 * Mounts that cover blocked entries inside `parent`: an empty file over a file, an empty
 * directory over a directory, both read-only. They come after their parent, so they win.
 */
function shadowMounts(parent: Mount, shadows: readonly Shadow[], coverDir: string): Mount[] {
  return shadows.map((shadow) => {
    const parts = shadow.rel.split('/');
    if (parts.some((p) => !p || p === '.' || p === '..') || PATH_UNSAFE.test(shadow.rel)) {
      throw new UserError(
        `Cannot hide "${shadow.rel}" in ${parent.hostPath} from the sandbox: rename it ` +
          '(no ":", ",", control characters or ".." in its path) or remove it from the mount.',
      );
    }
    return {
      hostPath: path.join(coverDir, shadow.kind),
      sandboxPath: `${parent.sandboxPath}/${shadow.rel}`,
      mode: 'ro',
    };
  });
}

/** Extra mounts and, for main, the project, each followed by what hides its blocked entries. */
function visibleMounts(input: SandboxPolicyInput, coverDir: string): Mount[] {
  const extras = input.extraMounts ?? [];
  const mounts = extraMounts(extras).flatMap((mount, i) => [
    mount,
    ...shadowMounts(mount, extras[i]?.shadows ?? [], coverDir),
  ]);
  if (input.project && input.group.isMain) {
    const project: Mount = {
      hostPath: checkHostPath('project', input.project.hostPath),
      sandboxPath: SANDBOX_PATHS.project,
      mode: 'ro',
    };
    mounts.push(project, ...shadowMounts(project, input.project.shadows, coverDir));
  }
  return mounts;
}

/** A worker's scratch folder, when the run is one. */
function workerMounts(input: SandboxPolicyInput): Mount[] {
  if (!input.worker) return [];
  const hostPath = checkHostPath('worker scratch', input.worker.scratchDir);
  return [{ hostPath, sandboxPath: SANDBOX_PATHS.scratch, mode: 'rw' }];
}

function baseMounts(input: SandboxPolicyInput): Mount[] {
  const host = hostPaths(input);
  const app = SANDBOX_PATHS.app;
  const writes = !input.worker || input.worker.writeGroupFolder;
  return [
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
    { hostPath: host.groupDir, sandboxPath: SANDBOX_PATHS.group, mode: writes ? 'rw' : 'ro' },
    // Shared memory: only main may change what every group reads.
    {
      hostPath: host.globalDir,
      sandboxPath: SANDBOX_PATHS.global,
      mode: input.group.isMain && writes ? 'rw' : 'ro',
    },
    { hostPath: host.claudeHome, sandboxPath: SANDBOX_PATHS.claudeHome, mode: 'rw' },
    // connect() works through a read-only bind; the sandbox cannot replace the socket.
    { hostPath: host.gatewayDir, sandboxPath: SANDBOX_PATHS.gatewayDir, mode: 'ro' },
  ];
}

/** The complete environment inside: fixed values only, never copied from the host. */
function sandboxEnv(name: string, input: SandboxPolicyInput): Record<string, string> {
  return {
    HOME: SANDBOX_PATHS.home,
    PATH: '/opt/node/bin:/usr/local/bin:/usr/bin:/bin',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    TZ: input.timezone,
    CLAUDE_CONFIG_DIR: SANDBOX_PATHS.claudeHome,
    NANOCLAW_SANDBOX: name,
    // Not a secret: lets orphan cleanup recognize this installation's sandboxes.
    NANOCLAW_INSTANCE: input.instance,
  };
}

export function buildSandboxSpec(input: SandboxPolicyInput): SandboxSpec {
  const folder = validateFolder(input.group.folder);
  checkInput(input);
  const name = sandboxName(folder, input.runId);
  return {
    name,
    instance: input.instance,
    group: folder,
    mounts: [
      ...baseMounts(input),
      ...workerMounts(input),
      ...visibleMounts(input, hostPaths(input).coverDir),
    ],
    env: sandboxEnv(name, input),
    cwd: SANDBOX_PATHS.group,
    user: { uid: input.user.uid, gid: input.user.gid },
    home: SANDBOX_PATHS.home,
    hostname: 'nanoclaw',
    limits: { ...input.limits },
    command: [SANDBOX_PATHS.node, `${SANDBOX_PATHS.app}/dist/agent/main.js`],
  };
}
