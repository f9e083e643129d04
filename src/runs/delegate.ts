/**
 * `delegate`: a lead run hands independent sub-tasks to workers, each a fresh sandbox of the
 * same group (same mounts and policies; its own scratch folder and Claude home; the group folder
 * read-only unless asked), started through the same path as every run (limiter slot of kind
 * `worker`, runTurn). The call returns when every worker has answered, failed or timed out;
 * one worker's failure is reported beside the others' answers. The lead's signal (its run
 * stopped or ended) stops every worker. Workers cannot delegate further (canDelegate).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ForbiddenError, UserError, errorMessage } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { containerSkillsDir, installContainerSkills } from '../groups/container-skills.js';
import { ensureAgentDir } from '../groups/agent-files.js';
import { agentFileOwner } from '../groups/workspace.js';
import type { Host } from '../host.js';
import { canDelegate } from '../security/authz.js';
import type { DelegateBody } from '../shared/host-api.js';
import { mayDelegate } from './limiter-policy.js';
import { runTurn, type WorkerSetup } from './turn.js';

export type WorkerResult =
  | { name: string; status: 'done'; answer: string }
  | { name: string; status: 'failed'; error: string };

type Task = DelegateBody['tasks'][number];

/** Names for the tasks (given, or worker-<n>), each once (pure). */
export function workerNames(tasks: readonly Task[]): string[] {
  const names = tasks.map((t, i) => t.name ?? `worker-${i + 1}`);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new UserError(`Two sub-tasks are named "${twice}": give each its own name.`);
  return names;
}

/** What a worker reads first: its role, where it may write, then the lead's sub-task (pure). */
export function workerPrompt(name: string, prompt: string, writes: boolean): string {
  const where = writes
    ? 'You may write the group folder and /workspace/scratch.'
    : 'The group folder is read-only; write only in /workspace/scratch.';
  return (
    `<worker name="${name}">You are worker ${name}: a lead agent handed you one sub-task. ` +
    `Your final answer goes back to the lead. ${where}</worker>\n${prompt}`
  );
}

/** A worker's progress for where the lead's activity is shown (lead run id, worker, text). */
export type WorkerActivity = (lead: string, worker: string, text: string) => void;

export class Delegations {
  /** The group of every lead delegating now (one entry per lead). */
  private readonly delegating: string[] = [];

  constructor(
    private readonly host: Host,
    private readonly activity: WorkerActivity = () => {},
  ) {}

  async delegate(lead: RunContext, body: DelegateBody): Promise<{ results: WorkerResult[] }> {
    const decision = canDelegate(lead);
    if (!decision.allow) throw new ForbiddenError(decision.reason);
    const group = this.host.groups.get(lead.group.folder);
    if (!group || !lead.signal) throw new UserError('This run cannot delegate.');
    const names = workerNames(body.tasks);
    const { policy } = this.host.limiter;
    if (!mayDelegate(policy, this.delegating, group.folder)) {
      throw new UserError(
        'No room for workers beside this run now (MAX_SANDBOXES_PER_GROUP is ' +
          `${policy.maxPerGroup}, MAX_CONCURRENT_SANDBOXES ${policy.maxTotal}, and a lead ` +
          'holds one while its workers run; another lead may be delegating). Do the ' +
          'sub-tasks yourself, or delegate again later.',
      );
    }
    this.delegating.push(group.folder);
    const log = this.host.log.child({ group: group.folder, runId: lead.runId });
    log.info({ workers: names.length }, 'delegating to workers');
    try {
      const signal = lead.signal;
      const results = await Promise.all(
        body.tasks.map((task, i) =>
          this.runWorker(lead, task, names[i] as string, signal).then((result) => {
            log.info({ worker: result.name, status: result.status }, 'worker ended');
            const how = result.status === 'done' ? 'done' : `failed: ${result.error}`;
            this.activity(lead.runId, result.name, how);
            return result;
          }),
        ),
      );
      return { results };
    } finally {
      this.delegating.splice(this.delegating.indexOf(group.folder), 1);
    }
  }

  private async runWorker(
    lead: RunContext,
    task: Task,
    name: string,
    signal: AbortSignal,
  ): Promise<WorkerResult> {
    const group = this.host.groups.get(lead.group.folder);
    if (!group) return { name, status: 'failed', error: 'the group was removed' };
    const writes = task.write_group_folder ?? false;
    let dirs: WorkerDirs | undefined;
    try {
      dirs = workerDirs(this.host.config, `${lead.runId}-${name}`);
      const worker: WorkerSetup = { name, lead: lead.runId, writeGroupFolder: writes, ...dirs };
      this.activity(lead.runId, name, 'started');
      const sink = {
        text: () => {},
        tool: (tool: string, summary: string) =>
          this.activity(lead.runId, name, `${tool} ${summary}`),
      };
      const answer = await runTurn(
        this.host,
        group,
        workerPrompt(name, task.prompt, writes),
        sink,
        signal,
        { session: 'isolated', kind: 'worker', worker },
      );
      return { name, status: 'done', answer };
    } catch (error) {
      const why = signal.aborted ? 'stopped with its lead' : errorMessage(error);
      return { name, status: 'failed', error: why };
    } finally {
      if (dirs) fs.rmSync(dirs.root, { recursive: true, force: true });
    }
  }
}

interface WorkerDirs {
  root: string;
  scratchDir: string;
  claudeHome: string;
}

/** A worker's own folders under the run directory, owned by the sandbox user; removed after. */
function workerDirs(config: Config, id: string): WorkerDirs {
  const base = path.join(config.paths.run, 'workers');
  // Others may only pass through (the sandbox uid reaches its own folder, lists nothing).
  fs.mkdirSync(base, { recursive: true, mode: 0o711 });
  fs.chmodSync(base, 0o711);
  const owner = agentFileOwner(config);
  const root = path.join(base, id);
  fs.rmSync(root, { recursive: true, force: true });
  ensureAgentDir(root, owner);
  const dirs = {
    root,
    scratchDir: path.join(root, 'scratch'),
    claudeHome: path.join(root, 'claude'),
  };
  ensureAgentDir(dirs.scratchDir, owner);
  ensureAgentDir(dirs.claudeHome, owner);
  installContainerSkills(containerSkillsDir(config.appRoot), dirs.claudeHome);
  return dirs;
}
