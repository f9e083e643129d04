/**
 * One conversation turn for a group, start to finish: prepare the group's folders, build the
 * sandbox spec, run the agent, keep the session id, and hand text to a sink. Used by
 * `nanoclaw run`; the conversation queue drives `startAgentRun` directly for follow-ups.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { AgentRunError } from '../errors.js';
import {
  groupPaths,
  prepareGroupDirs,
  readGlobalMemory,
  type GroupPaths,
} from '../groups/workspace.js';
import { buildSandboxSpec, type ExtraMount, type SandboxPolicyInput } from '../sandbox/policy.js';
import {
  DEFAULT_BLOCKED,
  decideMount,
  loadAllowlist,
  resolveMountPath,
} from '../security/mounts.js';
import { findShadows } from '../security/shadows.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import type { Group } from '../store/groups.js';
import type { Host } from '../host.js';
import { startAgentRun, type AgentRun } from './agent-run.js';
import type { SandboxKind } from './limiter-policy.js';
import { stripInternal } from './text.js';
import { parseEffort, type EffortLevel } from '../usage/models.js';

export interface TurnSink {
  /** Assistant text as it is produced (internal parts removed; never empty). */
  text(text: string): void;
  /** A tool the agent started (name and short summary). */
  tool?(name: string, summary: string, agent?: string): void;
  /** A team member (background agent) started, progressed or finished. */
  agent?(agent: string, status: string, summary: string): void;
}

export function newRunId(): string {
  return crypto.randomBytes(6).toString('hex');
}

/** A worker of a `delegate` call: its name and its own host folders (see runs/delegate.ts). */
export interface WorkerSetup {
  name: string;
  /** The run id of the lead that delegated. */
  lead: string;
  /** Writable at /workspace/scratch. */
  scratchDir: string;
  /** Its own Claude home (the group's holds the lead's sessions and settings). */
  claudeHome: string;
  /** The lead asked for a writable group folder. */
  writeGroupFolder: boolean;
}

/** Builds the sandbox spec for a group's run from the host's config (pure apart from realpath). */
export function specForGroup(
  host: Host,
  group: Group,
  runId: string,
  worker?: WorkerSetup,
): SandboxSpec {
  const paths = prepareGroupDirs(host.config, group);
  return buildSandboxSpec({
    runId,
    instance: host.instance,
    group: { folder: group.folder, isMain: group.isMain },
    hostPaths: {
      appRoot: host.config.appRoot,
      nodeBinary: host.runnerNode,
      groupDir: paths.groupDir,
      globalDir: paths.globalDir,
      claudeHome: worker?.claudeHome ?? paths.claudeHome,
      gatewayDir: host.gatewayDir,
      coverDir: host.coverDir,
    },
    user: host.config.sandboxUser,
    limits: host.config.limits,
    timezone: host.config.timezone,
    ...visibleMounts(host, group),
    ...(worker
      ? { worker: { scratchDir: worker.scratchDir, writeGroupFolder: worker.writeGroupFolder } }
      : {}),
  });
}

/**
 * The group's extra mounts that pass the allowlist right now (the file is read fresh) and, for
 * main, the project; each with its blocked entries (a `.env` ...) to hide. A mount whose cover
 * scan cannot finish is refused: its secrets by name could not all be hidden.
 */
function visibleMounts(
  host: Host,
  group: Group,
): Pick<SandboxPolicyInput, 'extraMounts' | 'project'> {
  const { config, log } = host;
  const loaded = loadAllowlist(config.mountAllowlist);
  const blocked = loaded.ok ? loaded.allowlist.blocked : DEFAULT_BLOCKED;
  const covered = (what: string, hostPath: string, alsoHide: readonly string[] = []) => {
    const scan = findShadows(hostPath, blocked, { maxEntries: config.mountScanEntries, alsoHide });
    if (scan.complete) return scan.shadows;
    log.warn(
      { group: group.folder, mount: what, hostPath, reason: scan.reason },
      `${what} not mounted: its scan for secrets by name could not finish (${scan.reason}), so ` +
        'they could not all be covered; mount smaller folders, or raise MOUNT_SCAN_MAX_ENTRIES',
    );
    return undefined;
  };
  const extraMounts: ExtraMount[] = [];
  for (const request of host.mounts.list(group.folder)) {
    const decision = loaded.ok
      ? decideMount(request, resolveMountPath(request.hostPath), loaded.allowlist, group.isMain)
      : { allowed: false as const, reason: loaded.problem };
    if (!decision.allowed) {
      log.warn(
        { group: group.folder, mount: request.name, reason: decision.reason },
        'extra mount refused',
      );
      continue;
    }
    const shadows = covered(`extra mount ${request.name}`, decision.hostPath);
    if (shadows) extraMounts.push({ ...decision, shadows });
  }
  if (!group.isMain) return { extraMounts };
  // The data directory and the allowlist's folder stay hidden should they lie inside the project.
  const hide = [config.home, path.dirname(config.mountAllowlist)];
  const shadows = covered('the project', config.appRoot, hide);
  return shadows
    ? { extraMounts, project: { hostPath: config.appRoot, shadows } }
    : { extraMounts };
}

/** The host folders a group's run may write, held to SANDBOX_DISK_MB of growth. */
export function runFolders(paths: GroupPaths, group: Group, worker?: WorkerSetup): string[] {
  if (worker && !worker.writeGroupFolder) return [worker.scratchDir, worker.claudeHome];
  const own = worker ? [worker.scratchDir, worker.claudeHome] : [paths.claudeHome];
  return [paths.groupDir, ...own, ...(group.isMain ? [paths.globalDir] : [])];
}

export interface RunOptions {
  /** `group`: continue the group's conversation; `isolated`: a fresh session, not kept. */
  session: 'group' | 'isolated';
  /** What the run is for, for the sandbox limiter (default `chat`: someone waits for it). */
  kind?: SandboxKind;
  /** The scheduled task it runs (usage is attributed to it; its model setting applies). */
  task?: string;
  /** The run is a worker of a `delegate` call (its session is always isolated). */
  worker?: WorkerSetup;
}

/** The model and effort for a run: the task's setting, else the group's, else NANOCLAW_MODEL. */
export function modelFor(
  host: Pick<Host, 'budgets' | 'config'>,
  group: string,
  task: string | undefined,
): { model?: string; effort?: EffortLevel } {
  const forTask = task ? host.budgets.model('task', task) : { model: undefined, effort: undefined };
  const forGroup = host.budgets.model('group', group);
  const model = forTask.model ?? forGroup.model ?? host.config.model;
  const effort = parseEffort(forTask.effort ?? forGroup.effort);
  return { ...(model ? { model } : {}), ...(effort ? { effort } : {}) };
}

/**
 * Starts a sandboxed run for a group with its memory (and its session unless isolated). The
 * caller holds a slot of the host's limiter for it until `finished` settles (see runTurn).
 * `images`: sandbox paths of saved images the model sees with the prompt.
 */
export function startGroupRun(
  host: Host,
  group: Group,
  prompt: string,
  signal: AbortSignal,
  options: RunOptions = { session: 'group' },
  images: readonly string[] = [],
): AgentRun {
  const runId = newRunId();
  const { worker } = options;
  const spec = specForGroup(host, group, runId, worker);
  const paths = groupPaths(host.config, group.folder);
  const keep = options.session === 'group' && !worker;
  const sessionId = keep ? host.sessions.get(group.folder) : undefined;
  const globalMemory = readGlobalMemory(paths, host.log);
  const task = options.task;
  const ofGroup = { folder: group.folder, isMain: group.isMain };
  return startAgentRun(
    {
      spec,
      context: {
        runId,
        group: ofGroup,
        ...(task ? { task } : {}),
        ...(worker ? { worker: { name: worker.name, lead: worker.lead } } : {}),
      },
      folders: runFolders(paths, group, worker),
      start: {
        ...(worker ? { worker: { name: worker.name } } : {}),
        group: { folder: group.folder, isMain: group.isMain },
        prompt,
        ...(images.length ? { images: [...images] } : {}),
        assistantName: host.config.assistantName,
        timezone: host.config.timezone,
        ...(sessionId ? { sessionId } : {}),
        ...modelFor(host, group.folder, task),
        ...(globalMemory ? { globalMemory } : {}),
      },
    },
    {
      runtime: host.runtime,
      capabilities: host.capabilities,
      gateway: host.sandboxGateway,
      audit: host.audit.record,
      sdkUsage: host.sdkUsage,
      log: host.log,
    },
    signal,
  );
}

/**
 * Runs one prompt to its final answer, then closes the run. Waits for a sandbox slot first and
 * holds it until the sandbox has exited. Resolves with the final text; throws AgentRunError
 * when the agent or the sandbox failed (or the signal's reason when aborted while waiting).
 */
export async function runTurn(
  host: Host,
  group: Group,
  prompt: string,
  sink: TurnSink,
  signal: AbortSignal,
  options: RunOptions = { session: 'group' },
): Promise<string> {
  const lease = await host.limiter.acquire(
    { group: group.folder, kind: options.kind ?? 'chat' },
    signal,
  );
  let run: AgentRun | undefined;
  try {
    run = startGroupRun(host, group, prompt, signal, options);
    return await followTurn(host, group, run, { sink, options });
  } finally {
    // The slot is free only once the sandbox is gone, however the turn ended.
    if (run) {
      run.close();
      await run.finished;
    }
    lease.release();
  }
}

async function followTurn(
  host: Host,
  group: Group,
  run: AgentRun,
  { sink, options }: { sink: TurnSink; options: RunOptions },
): Promise<string> {
  let answer: string | undefined;
  let failure: string | undefined;
  for await (const event of run.events) {
    if (event.type === 'session' && options.session === 'group' && !options.worker) {
      host.sessions.set(group.folder, event.sessionId, new Date());
    } else if (event.type === 'text' && !event.partial) {
      const visible = stripInternal(event.text);
      if (visible) sink.text(visible);
    } else if (event.type === 'tool') sink.tool?.(event.name, event.summary, event.agent);
    else if (event.type === 'agent') sink.agent?.(event.agent, event.status, event.summary);
    else if (event.type === 'error') failure = event.message;
    else if (event.type === 'result') {
      answer = stripInternal(event.text);
      run.close();
    }
  }
  const outcome = await run.finished;
  if (answer === undefined) {
    throw outcome.error ?? new AgentRunError(failure ?? 'the agent gave no answer', true);
  }
  return answer;
}
