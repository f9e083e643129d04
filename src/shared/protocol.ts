/**
 * The host <-> agent-runner protocol: JSON lines on the runner's stdin (host -> runner) and
 * stdout (runner -> host). Both sides parse every line with these schemas; anything that does not
 * parse is rejected (fail closed), never guessed at.
 *
 * Trust: the host treats everything on stdout as untrusted agent output.
 */
import { z } from 'zod';

/** Where the runner reaches the host gateway from inside the sandbox. */
export const GatewayEndpointSchema = z.discriminatedUnion('kind', [
  /** A unix socket bind-mounted into the sandbox (bwrap, Docker/Podman on Linux). */
  z.object({ kind: z.literal('unix'), path: z.string().min(1) }),
  /** A host address reachable from the sandbox (Docker Desktop, Apple Container). */
  z.object({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().positive() }),
]);
export type GatewayEndpoint = z.infer<typeof GatewayEndpointSchema>;

/**
 * An SDK session id (a UUID today). Kept to a plain token: it comes back from the untrusted
 * runner, is stored and handed to the next run, so it must never be able to name a path.
 */
export const SessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'invalid session id');

/** Most images one user message carries to the model (the runner enforces it again). */
export const MAX_IMAGES_PER_MESSAGE = 5;

/** Sandbox paths of saved images the model should see with the text (`/workspace/group/...`). */
const ImagesSchema = z.array(z.string().min(1).max(1024)).max(MAX_IMAGES_PER_MESSAGE).optional();

export const StartMessageSchema = z.object({
  type: z.literal('start'),
  runId: z.string().min(1),
  group: z.object({ folder: z.string().min(1), isMain: z.boolean() }),
  prompt: z.string(),
  images: ImagesSchema,
  /** Session to resume; absent for a fresh conversation. */
  sessionId: SessionIdSchema.optional(),
  gateway: GatewayEndpointSchema,
  /** Per-run capability: the only thing that identifies this run to the host. Not a model key. */
  capability: z.string().min(16),
  assistantName: z.string().min(1),
  timezone: z.string().min(1),
  model: z.string().min(1).optional(),
  /** Reasoning effort for models that support it (the SDK's `effort` option). */
  effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).optional(),
  /** Text of the global CLAUDE.md, appended to the system prompt. */
  globalMemory: z.string().optional(),
  /** The run is a worker of a lead's `delegate` call (no delegate tool; speaks as `name`). */
  worker: z.object({ name: z.string().min(1).max(40) }).optional(),
});
export type StartMessage = z.infer<typeof StartMessageSchema>;

export const HostToRunnerSchema = z.discriminatedUnion('type', [
  StartMessageSchema,
  /** A follow-up user message that joins the live conversation. */
  z.object({ type: z.literal('message'), text: z.string(), images: ImagesSchema }),
  /** No more input: finish the current work (including background subagents), then exit. */
  z.object({ type: z.literal('close') }),
]);
export type HostToRunner = z.infer<typeof HostToRunnerSchema>;

const TokenCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const SdkModelUsageSchema = z.object({
  input: TokenCount,
  output: TokenCount,
  cacheRead: TokenCount,
  cacheWrite: TokenCount,
  costUsd: z.number().nonnegative().finite().optional(),
});

export const RunnerToHostSchema = z.discriminatedUnion('type', [
  /** The runner parsed its start message and its forwarder is listening. */
  z.object({ type: z.literal('ready') }),
  /** The SDK session id for this conversation (new, or changed after an invalid resume). */
  z.object({ type: z.literal('session'), sessionId: SessionIdSchema, fresh: z.boolean() }),
  /**
   * The agent started using a tool (for typing indicators and audit; input is summarized).
   * `agent`: the team member (a background agent of the lead) that used it; absent: the lead.
   */
  z.object({
    type: z.literal('tool'),
    name: z.string(),
    summary: z.string(),
    agent: z.string().max(200).optional(),
  }),
  /** A team member (background agent) started, made progress, or finished. */
  z.object({
    type: z.literal('agent'),
    agent: z.string().max(200),
    status: z.enum(['started', 'progress', 'done', 'failed']),
    summary: z.string(),
  }),
  /**
   * Assistant text, one assistant message at a time. `partial`: the message's text so far, while
   * it is being written (the next one replaces it); without it, the message's whole text.
   */
  z.object({ type: z.literal('text'), text: z.string(), partial: z.literal(true).optional() }),
  /** One turn finished; `text` is the final answer (may be empty). */
  z.object({ type: z.literal('result'), text: z.string(), sessionId: SessionIdSchema.optional() }),
  /**
   * The SDK's own usage figures for this run so far (cumulative: the latest replaces earlier
   * ones). Untrusted like everything the runner says: kept beside the gateway's, never billed.
   */
  z.object({
    type: z.literal('usage'),
    costUsd: z.number().nonnegative().finite().optional(),
    models: z
      .record(z.string().min(1).max(200), SdkModelUsageSchema)
      .refine((m) => Object.keys(m).length <= 20, 'too many models'),
  }),
  /** A failure; `retryable` says whether the same input may be tried again. */
  z.object({ type: z.literal('error'), message: z.string(), retryable: z.boolean() }),
  /** The runner is exiting cleanly after `close`. */
  z.object({ type: z.literal('done') }),
]);
export type RunnerToHost = z.infer<typeof RunnerToHostSchema>;

/** Upper bound for one protocol line; longer lines are a protocol violation. */
export const MAX_PROTOCOL_LINE_BYTES = 1024 * 1024;

/** Parse one line; returns an error string instead of throwing (the caller decides severity). */
export function parseLine<T>(
  schema: z.ZodType<T>,
  line: string,
): { ok: true; value: T } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, error: parsed.error.issues[0]?.message ?? 'invalid' };
  return { ok: true, value: parsed.data };
}

export function encodeLine(message: HostToRunner | RunnerToHost): string {
  return `${JSON.stringify(message)}\n`;
}
