/**
 * Host side of one sandboxed agent run: issues the run's capability, starts the sandbox, speaks
 * the JSON-lines protocol with the runner and turns its stdout into typed events.
 *
 * Trust boundary: everything the runner prints is untrusted. Lines are size-capped and parsed
 * with the shared schema; anything else is counted and dropped, never interpreted.
 */
import type { Logger } from '../log.js';
import type { AgentRunError } from '../errors.js';
import { errorMessage } from '../errors.js';
import type { CapabilityRegistry, RunContext } from '../gateway/types.js';
import type { AuditEntry, AuditSink } from '../store/audit.js';
import type { SandboxProcess, SandboxRuntime } from '../sandbox/runtime.js';
import type { SandboxSpec } from '../sandbox/spec.js';
import { AsyncQueue } from '../shared/async-queue.js';
import { readLines } from '../shared/lines.js';
import { AGENT, describeFailure, superviseSandbox } from './supervise.js';
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
  /** Keeps the SDK's own usage figures for the run (the latest of them), beside the gateway's. */
  sdkUsage?(context: RunContext, usage: Extract<RunnerToHost, { type: 'usage' }>): void;
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
  /**
   * Pipes a follow-up message (and the sandbox paths of images to show with it) into the live
   * conversation; false when the run is over.
   */
  send(text: string, images?: readonly string[]): boolean;
  /** Asks the runner to finish its work and exit. */
  close(): void;
  /** Settles (never rejects) when the sandbox has exited and the capability is revoked. */
  readonly finished: Promise<RunOutcome>;
}

const MAX_BAD_LINES = 100;

/** What the host learns from a runner's protocol output while it runs. */
interface Observed {
  events: AsyncQueue<RunnerToHost>;
  sawDone: boolean;
  reportedError: string | undefined;
}

/** Parses the runner's stdout into events (bounded per line, fail closed). */
function observe(
  child: SandboxProcess,
  log: Logger,
  onUsage?: (usage: Extract<RunnerToHost, { type: 'usage' }>) => void,
): Observed {
  const observed: Observed = {
    events: new AsyncQueue<RunnerToHost>(),
    sawDone: false,
    reportedError: undefined,
  };
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
      if (parsed.value.type === 'usage') return onUsage?.(parsed.value);
      observed.events.push(parsed.value);
    },
    overflow: (bytes) => bad({ bytes }),
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
  const sandbox = superviseSandbox(
    { spec, subject: AGENT, folders: input.folders ?? [] },
    { runtime: deps.runtime, log },
    signal,
  );
  const { child } = sandbox;
  const observed = observe(
    child,
    log,
    deps.sdkUsage ? (usage) => deps.sdkUsage?.(context, usage) : undefined,
  );
  const stdin = runnerInput(child, log);
  const write = stdin.write;
  child.on('error', (error) => {
    // Stopping a run on purpose (shutdown, cancel) aborts its spawn: expected, not a failure.
    if (signal.aborted) return log.debug({ err: errorMessage(error) }, 'sandbox stopped');
    log.error({ err: errorMessage(error) }, 'sandbox failed to start');
  });
  const finished = sandbox.exited.then((facts): RunOutcome => {
    stdin.close();
    deps.capabilities.revoke(capability);
    observed.events.end();
    const { exitCode, exitSignal } = facts;
    const outcome: RunOutcome = { exitCode, signal: exitSignal };
    if (!(observed.sawDone && exitCode === 0)) {
      outcome.error = describeFailure(AGENT, facts, observed.reportedError);
    }
    log.info({ exitCode, signal: exitSignal, ok: !outcome.error }, 'sandbox exited');
    const durationMs = Math.round(performance.now() - startedAt);
    deps.audit?.(auditRecord(input, deps.runtime.name, outcome, durationMs));
    return outcome;
  });
  write({ type: 'start', runId: context.runId, capability, gateway: deps.gateway, ...input.start });
  return {
    runId: context.runId,
    events: observed.events,
    send: (text, images) =>
      write({ type: 'message', text, ...(images?.length ? { images: [...images] } : {}) }),
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
