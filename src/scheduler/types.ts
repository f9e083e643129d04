/**
 * The contract between the scheduler (timing, claims, run log) and whatever runs a claimed
 * occurrence (the host's sandboxed dispatcher). The scheduler knows nothing of sandboxes.
 */
import type { Task } from '../store/tasks.js';

/** How one run ended; `skipped` = nothing ran (e.g. the pre-check did not wake the agent). */
export interface RunOutcome {
  status: 'success' | 'error' | 'skipped';
  result?: string;
  error?: string;
}

/** One claimed occurrence: its run-log row and the time it was scheduled for. */
export interface ClaimedRun {
  id: number;
  scheduledFor: number;
}

/**
 * Runs one claimed occurrence. It should resolve rather than throw (a throw is logged as an
 * error run) and stop promptly when `signal` aborts (host shutdown).
 */
export type Dispatch = (task: Task, run: ClaimedRun, signal: AbortSignal) => Promise<RunOutcome>;
