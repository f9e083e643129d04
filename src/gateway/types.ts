/**
 * The gateway's contracts: how runs are identified (capabilities) and what the host API does.
 * Identity comes only from the capability a request carries, never from its body.
 */
import type { z } from 'zod';
import type { SendMessageBody } from '../shared/host-api.js';

/** What the host knows about a live run; derived from its capability alone. */
export interface RunContext {
  runId: string;
  group: { folder: string; isMain: boolean };
  /** The scheduled task the run is for, if any (usage is attributed to it). */
  task?: string;
}

export interface CapabilityRegistry {
  /** Issues a fresh unguessable capability for a run. */
  issue(context: RunContext): string;
  /** Makes a capability invalid at once (run ended). Idempotent. */
  revoke(capability: string): void;
  /** The run a capability belongs to, or undefined when unknown or revoked. */
  resolve(capability: string): RunContext | undefined;
}

/** One more host API route: its body schema and handler (tasks, groups…). */
export interface ExtraRoute {
  schema: z.ZodType;
  handle(context: RunContext, body: unknown): Promise<unknown>;
}

/** Host-side effects of agent tools. Each gets the caller's RunContext from its capability. */
export interface HostApiHandlers {
  sendMessage(context: RunContext, body: SendMessageBody): Promise<void>;
  /** Further routes by path (e.g. `/api/register_group`). */
  extra?: Record<string, ExtraRoute>;
}
