/**
 * A task's pre-check script, in the group's sandbox under every limit an agent run has: the
 * same spec (memory, processes, /tmp, mounts), a sandbox slot from the host's limiter, and the
 * same supervisor (time, output and disk caps). Its time limit is also at most two minutes.
 */
import type { Host } from '../host.js';
import { groupPaths } from '../groups/workspace.js';
import type { Group } from '../store/groups.js';
import { PRECHECK, describeFailure, superviseSandbox } from './supervise.js';
import { newRunId, runFolders, specForGroup } from './turn.js';

/** A pre-check is a quick look, not a job. */
export const PRECHECK_TIMEOUT_MS = 120_000;
/** What of its output is kept: the tail, which holds the last line the host parses. */
const KEPT_OUTPUT = 64 * 1024;

/**
 * Runs `script` with `/bin/sh -c` and resolves with (the tail of) what it printed; throws
 * AgentRunError saying why when it failed or passed a cap, or the signal's reason when aborted
 * while it waited for a slot.
 */
export async function runPrecheck(
  host: Host,
  group: Group,
  script: string,
  signal: AbortSignal,
): Promise<string> {
  const lease = await host.limiter.acquire({ group: group.folder, kind: 'precheck' }, signal);
  try {
    const runId = newRunId();
    const base = specForGroup(host, group, runId);
    const spec = {
      ...base,
      command: ['/bin/sh', '-c', script],
      limits: { ...base.limits, timeoutMs: Math.min(base.limits.timeoutMs, PRECHECK_TIMEOUT_MS) },
    };
    const log = host.log.child({ runId, group: group.folder, precheck: true });
    const sandbox = superviseSandbox(
      {
        spec,
        subject: PRECHECK,
        folders: runFolders(groupPaths(host.config, group.folder), group),
      },
      { runtime: host.runtime, log },
      signal,
    );
    sandbox.child.stdin.end();
    let out = '';
    sandbox.child.stdout.on('data', (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-KEPT_OUTPUT);
    });
    const facts = await sandbox.exited;
    if (facts.exitCode !== 0 || facts.limitHit !== undefined)
      throw describeFailure(PRECHECK, facts);
    return out;
  } finally {
    lease.release();
  }
}
