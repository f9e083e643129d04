/**
 * Starts one sandbox under the limits every run has, whatever it runs (the agent, a pre-check
 * script): the runtime applies memory, processes and /tmp from the spec; this adds the time
 * limit, the cap on what it prints, and the cap on how much its own folders may grow. A cap that
 * is passed kills the sandbox and says why.
 */
import { AgentRunError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SandboxProcess, SandboxRuntime } from '../sandbox/runtime.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import { watchDisk, type DiskOver } from './disk-watch.js';

const MIB = 1024 * 1024;
const STDERR_TAIL_BYTES = 8 * 1024;
/** How often a run's folders are measured against SANDBOX_DISK_MB. */
const DISK_CHECK_MS = 3_000;

/** Who runs, in the messages that say why it stopped. */
export interface Subject {
  /** Who passed a cap: `the agent`. */
  who: string;
  /** What hit its time limit or was cancelled: `the agent run`. */
  run: string;
  /** What ended badly otherwise: `the sandbox`. */
  ended: string;
}
export const AGENT: Subject = { who: 'the agent', run: 'the agent run', ended: 'the sandbox' };
export const PRECHECK: Subject = {
  who: 'the pre-check script',
  run: 'the pre-check script',
  ended: 'the pre-check script',
};

/** How a supervised sandbox ended. */
export interface ExitFacts {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  /** Set when it passed a cap and was killed for it: why. */
  limitHit: string | undefined;
  timedOut: boolean;
  aborted: boolean;
  stderrTail: string;
}

export interface Supervised {
  child: SandboxProcess;
  /** Kills the sandbox for passing a cap (the first reason given is kept). */
  stop(reason: string): void;
  /** Settles (never rejects) once the sandbox has exited. */
  exited: Promise<ExitFacts>;
}

export function superviseSandbox(
  input: {
    spec: SandboxSpec;
    subject: Subject;
    /** The run's own host folders, held to `spec.limits.diskMb` of growth. */
    folders: readonly string[];
  },
  deps: { runtime: SandboxRuntime; log: Logger },
  signal: AbortSignal,
): Supervised {
  const { spec, subject } = input;
  const { limits } = spec;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const child = deps.runtime.spawn(spec, AbortSignal.any([signal, timeout]));
  let limitHit: string | undefined;
  const stop = (reason: string) => {
    if (limitHit !== undefined) return;
    limitHit = reason;
    deps.log.warn({ reason }, 'sandbox over a cap: killed');
    child.kill('SIGKILL');
  };
  let outputBytes = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    outputBytes += chunk.length;
    if (outputBytes > limits.outputMb * MIB)
      stop(`${subject.who} printed more than ${limits.outputMb} MB and was stopped`);
  });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  const stopDiskWatch =
    input.folders.length === 0
      ? () => {}
      : watchDisk(
          input.folders,
          {
            capBytes: limits.diskMb * MIB,
            maxEntries: limits.diskScanEntries,
            intervalMs: DISK_CHECK_MS,
          },
          (over) => stop(diskMessage(subject, over, limits.diskMb)),
        );
  const exited = new Promise<ExitFacts>((resolve) => {
    child.on('close', (exitCode, exitSignal) => {
      stopDiskWatch();
      const [timedOut, aborted] = [timeout.aborted, signal.aborted];
      resolve({ exitCode, exitSignal, limitHit, timedOut, aborted, stderrTail });
    });
  });
  return { child, stop, exited };
}

/** Pure: why a sandbox was stopped for its disk cap, and (when it could not be measured) what to do. */
export function diskMessage(subject: Subject, over: DiskOver, diskMb: number): string {
  if (over.kind === 'grown') {
    return `${subject.who} wrote more than ${diskMb} MB into its folders and was stopped`;
  }
  return (
    `the run's folders could not be measured against the disk cap (${over.folder}: ` +
    `${over.reason}), so ${subject.run} was stopped; remove files there or raise ` +
    'SANDBOX_DISK_SCAN_ENTRIES'
  );
}

/** Why a sandbox that did not end cleanly failed, most telling reason first. */
export function describeFailure(
  subject: Subject,
  facts: ExitFacts,
  reportedError?: string,
): AgentRunError {
  const context = { exitCode: facts.exitCode, signal: facts.exitSignal, stderr: facts.stderrTail };
  // A cap that was hit would be hit again: not retryable.
  if (facts.limitHit !== undefined) return new AgentRunError(facts.limitHit, false, context);
  if (facts.timedOut) return new AgentRunError(`${subject.run} hit its time limit`, true, context);
  if (facts.aborted) return new AgentRunError(`${subject.run} was cancelled`, true, context);
  if (reportedError) return new AgentRunError(reportedError, true, context);
  const lastLine = facts.stderrTail.trim().split('\n').at(-1) ?? '';
  const how = facts.exitSignal ? `signal ${facts.exitSignal}` : `exit code ${facts.exitCode}`;
  return new AgentRunError(
    `${subject.ended} ended unexpectedly (${how})${lastLine ? `: ${lastLine}` : ''}`,
    true,
    context,
  );
}
