/**
 * One interface over every sandbox runtime. Each adapter turns a SandboxSpec into its own
 * command line (pure, see `*-args.ts`) and spawns it; the host talks to the runner over stdio.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { SandboxSpec } from './spec.js';

export type RuntimeName = 'bwrap' | 'docker' | 'podman' | 'apple';

export type SandboxProcess = ChildProcessByStdio<Writable, Readable, Readable>;

export interface SandboxRuntime {
  readonly name: RuntimeName;
  /**
   * Starts the sandbox. Never throws for a failed start: the process exits non-zero and its
   * stderr says why. The signal kills the sandbox.
   */
  spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess;
  /** Whether this runtime works on this machine right now; `reason` says what is missing. */
  probe(): Promise<{ ok: true } | { ok: false; reason: string }>;
  /**
   * The first of `paths` the sandbox user cannot reach on the host, if the runtime needs it to
   * (bwrap resolves mount sources as that user); undefined when all are reachable.
   */
  unreachable?(paths: string[], user: { uid: number; gid: number }): string | undefined;
  /** Kills sandboxes left behind by an earlier host process of this instance. Returns how many. */
  cleanupOrphans(instance: string): Promise<number>;
  /** Finishes the cleanup of sandboxes that have exited (before the host process exits). */
  settle?(): Promise<void>;
}
