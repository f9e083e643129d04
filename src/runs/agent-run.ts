/**
 * Host side of one sandboxed agent run: issues the run's capability, starts the sandbox, speaks
 * the JSON-lines protocol with the runner and turns its stdout into typed events.
 *
 * Trust boundary: everything the runner prints is untrusted. Lines are size-capped and parsed
 * with the shared schema; anything else is counted and dropped, never interpreted.
 */
import type { Logger } from '../log.js';
import { AgentRunError, errorMessage } from '../errors.js';
import type { CapabilityRegistry, RunContext } from '../gateway/types.js';
import type { AuditEntry, AuditSink } from '../store/audit.js';
import type { SandboxProcess, SandboxRuntime } from '../sandbox/runtime.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import { AsyncQueue } from '../shared/async-queue.js';
import { readLines } from '../shared/lines.js';
import { watchDisk } from './disk-watch.js';
import {
  MAX_PROTOCOL_LINE_BYTES,
  RunnerToHostSchema,
  encodeLine,
  parseLine,
  type GatewayEndpoint,
  type HostToRunner,
  type RunnerToHost,
  type StartMessage,
} from '../shared/protocol.js';

export interface AgentRunDeps {
  runtime: SandboxRuntime;
  capabilities: CapabilityRegistry;
  /** The gateway as the runner sees it from inside the sandbox. */
  gateway: GatewayEndpoint;
  /** Records each run (group, runtime, mounts and modes, duration, exit) in the audit trail. */
  audit?: AuditSink;
  log: Logger;
}

export type StartFields = Omit<StartMessage, 'type' | 'capability' | 'gateway' | 'runId'>;

export interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the run did not end cleanly (`done` then exit 0). */
  error?: AgentRunError;
}

export interface AgentRun {
  readonly runId: string;
  /** Every valid event from the runner, in order; ends when the sandbox exits. */
  readonly events: AsyncIterable<RunnerToHost>;
  /** Pipes a follow-up message into the live conversation; false when the run is over. */
  send(text: string): boolean;
  /** Asks the runner to finish its work and exit. */
  close(): void;
  /** Settles (never rejects) when the sandbox has exited and the capability is revoked. */
  readonly finished: Promise<RunOutcome>;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const MIB = 1024 * 1024;
/** How often a run's folders are measured against SANDBOX_DISK_MB. */
const DISK_CHECK_MS = 3_000;
const MAX_BAD_LINES = 100;

/** What the host learns from a runner's output while it runs. */
interface Observed {
  events: AsyncQueue<RunnerToHost>;
  sawDone: boolean;
  reportedError: string | undefined;
  stderrTail: string;
  /** Set when the run passed one of its caps (output, disk) and was killed for it: why. */
  limitHit: string | undefined;
}

/**
 * Parses the runner's stdout into events (bounded per line and in total, fail closed) and keeps
 * a stderr tail.
 */
function observe(child: SandboxProcess, outputMb: number, log: Logger): Observed {
  const observed: Observed = {
    events: new AsyncQueue<RunnerToHost>(),
    sawDone: false,
    reportedError: undefined,
    stderrTail: '',
    limitHit: undefined,
  };
  let outputBytes = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    outputBytes += chunk.length;
    if (outputBytes <= outputMb * MIB || observed.limitHit !== undefined) return;
    observed.limitHit = `the agent printed more than ${outputMb} MB and was stopped`;
    log.warn({ outputMb }, 'runner output over its cap: run killed');
    child.kill('SIGKILL');
  });
  let badLines = 0;
  const bad = (detail: Record<string, unknown>) => {
    badLines += 1;
    log.warn({ ...detail, badLines }, 'dropped invalid runner output');
    if (badLines === MAX_BAD_LINES) child.kill('SIGKILL');
  };
  readLines(child.stdout, MAX_PROTOCOL_LINE_BYTES, {
    line(text) {
      if (!text.trim()) return;
      const parsed = parseLine(RunnerToHostSchema, text);
      if (!parsed.ok) return bad({ error: parsed.error });
      if (parsed.value.type === 'done') observed.sawDone = true;
      if (parsed.value.type === 'error') observed.reportedError = parsed.value.message;
      observed.events.push(parsed.value);
    },
    overflow: (bytes) => bad({ bytes }),
  });
  child.stderr.on('data', (chunk: Buffer) => {
    observed.stderrTail = (observed.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  return observed;
}

export function startAgentRun(
  input: {
    spec: SandboxSpec;
    context: RunContext;
    start: StartFields;
    /** The run's own host folders, held to `spec.limits.diskMb` of growth. */
    folders?: readonly string[];
  },
  deps: AgentRunDeps,
  signal: AbortSignal,
): AgentRun {
  const { spec, context } = input;
  const log = deps.log.child({ runId: context.runId, group: context.group.folder });
  const capability = deps.capabilities.issue(context);
  const startedAt = performance.now();
  const timeout = AbortSignal.timeout(spec.limits.timeoutMs);
  const child = deps.runtime.spawn(spec, AbortSignal.any([signal, timeout]));
  const observed = observe(child, spec.limits.outputMb, log);
  const stopDiskWatch = capDisk(input.folders ?? [], spec.limits.diskMb, () => {
    if (observed.limitHit !== undefined) return;
    observed.limitHit = `the agent wrote more than ${spec.limits.diskMb} MB into its folders and was stopped`;
    log.warn({ diskMb: spec.limits.diskMb }, 'run folders over their disk cap: run killed');
    child.kill('SIGKILL');
  });
  const stdin = runnerInput(child, log);
  const write = stdin.write;
  child.on('error', (error) => {
    // Stopping a run on purpose (shutdown, cancel) aborts its spawn: expected, not a failure.
    if (signal.aborted) return log.debug({ err: errorMessage(error) }, 'sandbox stopped');
    log.error({ err: errorMessage(error) }, 'sandbox failed to start');
  });
  const finished = new Promise<RunOutcome>((resolve) => {
    child.on('close', (exitCode, exitSignal) => {
      stopDiskWatch();
      stdin.close();
      deps.capabilities.revoke(capability);
      observed.events.end();
      const outcome: RunOutcome = { exitCode, signal: exitSignal };
      if (!(observed.sawDone && exitCode === 0)) {
        const { reportedError, stderrTail, limitHit } = observed;
        const [timedOut, aborted] = [timeout.aborted, signal.aborted];
        const why = { limitHit, timedOut, aborted, reportedError, stderrTail };
        outcome.error = describeFailure({ exitCode, exitSignal, ...why });
      }
      log.info({ exitCode, signal: exitSignal, ok: !outcome.error }, 'sandbox exited');
      const durationMs = Math.round(performance.now() - startedAt);
      deps.audit?.(auditRecord(input, deps.runtime.name, outcome, durationMs));
      resolve(outcome);
    });
  });
  write({ type: 'start', runId: context.runId, capability, gateway: deps.gateway, ...input.start });
  return {
    runId: context.runId,
    events: observed.events,
    send: (text) => write({ type: 'message', text }),
    close: () => void write({ type: 'close' }),
    finished,
  };
}

/** Protocol lines to the runner's stdin; `write` says false once it is closed, never throws. */
function runnerInput(child: SandboxProcess, log: Logger) {
  let open = true;
  // A runner that exits early closes its stdin; a late write must not crash the host.
  child.stdin.on('error', (error) => {
    open = false;
    log.debug({ err: errorMessage(error) }, 'runner stdin closed');
  });
  return {
    write(message: HostToRunner): boolean {
      if (!open || child.stdin.destroyed) return false;
      child.stdin.write(encodeLine(message));
      return true;
    },
    close() {
      open = false;
    },
  };
}

/** Watches the run's own folders (none: nothing to watch) against its disk cap. */
function capDisk(folders: readonly string[], diskMb: number, onOver: () => void): () => void {
  if (folders.length === 0) return () => {};
  return watchDisk(folders, diskMb * MIB, DISK_CHECK_MS, onOver);
}

/** The audit trail's record of one sandbox run: who, where, what it saw, how it ended. */
function auditRecord(
  input: { spec: SandboxSpec; context: RunContext },
  runtime: string,
  outcome: RunOutcome,
  durationMs: number,
): AuditEntry {
  return {
    kind: 'sandbox',
    group: input.context.group.folder,
    runId: input.context.runId,
    action: `${runtime} run`,
    decision: outcome.error ? 'failed' : 'ok',
    detail: {
      mounts: input.spec.mounts.map((m) => `${m.sandboxPath}:${m.mode}`),
      durationMs,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      ...(outcome.error ? { error: outcome.error.message } : {}),
    },
  };
}

function describeFailure(facts: {
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  limitHit: string | undefined;
  timedOut: boolean;
  aborted: boolean;
  reportedError: string | undefined;
  stderrTail: string;
}): AgentRunError {
  const context = { exitCode: facts.exitCode, signal: facts.exitSignal, stderr: facts.stderrTail };
  // A cap that was hit would be hit again: not retryable.
  if (facts.limitHit !== undefined) return new AgentRunError(facts.limitHit, false, context);
  if (facts.timedOut) return new AgentRunError('the agent run hit its time limit', true, context);
  if (facts.aborted) return new AgentRunError('the agent run was cancelled', true, context);
  if (facts.reportedError) return new AgentRunError(facts.reportedError, true, context);
  const lastLine = facts.stderrTail.trim().split('\n').at(-1) ?? '';
  const how = facts.exitSignal ? `signal ${facts.exitSignal}` : `exit code ${facts.exitCode}`;
  return new AgentRunError(
    `the sandbox ended unexpectedly (${how})${lastLine ? `: ${lastLine}` : ''}`,
    true,
    context,
  );
}
