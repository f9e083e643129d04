/**
 * Maps Claude Agent SDK messages to protocol events (pure: no I/O). Only what the host needs
 * crosses: the session id, assistant text, a short summary of each tool call, one result per
 * turn. The run's capability is masked in everything that crosses, so it cannot reach a chat.
 */
import type { RunnerToHost } from '../shared/protocol.js';
import { PartialText, type StreamEventLike } from './partial.js';

/** The parts of SDK messages we read; everything else is ignored. */
export interface SdkMessageLike {
  type: string;
  subtype?: string;
  session_id?: string;
  parent_tool_use_id?: string | null;
  message?: { content?: unknown };
  result?: unknown;
  is_error?: boolean;
  errors?: unknown;
  /** On results: the SDK's cumulative cost estimate and per-model usage for this query. */
  total_cost_usd?: unknown;
  modelUsage?: unknown;
  /** Set on the CLI's synthetic "API Error: …" assistant message; the result carries it too. */
  error?: unknown;
  /** On `stream_event` (partial messages): one raw Messages API streaming event. */
  event?: StreamEventLike;
}

const SUMMARY_MAX = 200;
const MASK = '[redacted]';

/**
 * A one-line, bounded description of a tool call: its description, command, path or input.
 * `clean` runs before truncation, so a secret cut in half by the limit is still masked.
 */
export function summarizeToolInput(input: unknown, clean = (text: string) => text): string {
  if (!input || typeof input !== 'object') return '';
  const record = input as Record<string, unknown>;
  const primary =
    record.description ?? record.command ?? record.file_path ?? record.pattern ?? record.url;
  const text = clean(typeof primary === 'string' ? primary : JSON.stringify(record))
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

function contentBlocks(message: SdkMessageLike): Record<string, unknown>[] {
  const content = message.message?.content;
  return Array.isArray(content) ? (content as Record<string, unknown>[]) : [];
}

export function resultError(message: SdkMessageLike): string {
  if (Array.isArray(message.errors) && message.errors.length > 0) return message.errors.join('; ');
  if (typeof message.result === 'string' && message.result) return message.result;
  return `the agent stopped (${message.subtype ?? 'error'})`;
}

/**
 * Whether an error means the stored session cannot be resumed (start a fresh one instead).
 * The CLI says "No conversation found with session ID: …" for an unknown id and "--resume
 * requires a valid session ID …" for one that is not a UUID (both measured).
 */
export function isInvalidSession(text: string): boolean {
  return /no conversation found|requires a valid session id|session .*not found/i.test(text);
}

const count = (value: unknown) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
const usd = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * The SDK's own usage figures on a result (cumulative for the query, so the host keeps the
 * latest), or none when the result carries none.
 */
export function sdkUsageEvent(message: SdkMessageLike): RunnerToHost[] {
  if (message.type !== 'result') return [];
  const raw = message.modelUsage;
  if (!raw || typeof raw !== 'object') return [];
  const models: Record<
    string,
    { input: number; output: number; cacheRead: number; cacheWrite: number; costUsd?: number }
  > = {};
  for (const [model, value] of Object.entries(raw as Record<string, unknown>).slice(0, 20)) {
    if (!value || typeof value !== 'object' || !model || model.length > 200) continue;
    const u = value as Record<string, unknown>;
    const cost = usd(u.costUSD);
    models[model] = {
      input: count(u.inputTokens),
      output: count(u.outputTokens),
      cacheRead: count(u.cacheReadInputTokens),
      cacheWrite: count(u.cacheCreationInputTokens),
      ...(cost === undefined ? {} : { costUsd: cost }),
    };
  }
  const costUsd = usd(message.total_cost_usd);
  return [{ type: 'usage', models, ...(costUsd === undefined ? {} : { costUsd }) }];
}

export function isErrorResult(message: SdkMessageLike): boolean {
  return message.type === 'result' && (message.subtype !== 'success' || message.is_error === true);
}

/**
 * Turns the SDK stream of one run into protocol events. It remembers the session it reported:
 * the CLI repeats `system/init` at every turn, the host needs it once (and again if it changes).
 */
export class EventMapper {
  private reported: string | undefined;
  private readonly partial: PartialText;

  /** `fresh`: this run started a new session; `secrets`: strings never to pass on. */
  constructor(
    private fresh: boolean,
    private readonly secrets: readonly string[],
    now: () => number = Date.now,
  ) {
    this.partial = new PartialText(secrets, (text) => this.mask(text), now);
  }

  /** A resume failed and a new session starts: its id is reported again, as fresh. */
  restartFresh(): void {
    this.fresh = true;
    this.reported = undefined;
  }

  map(message: SdkMessageLike): RunnerToHost[] {
    if (message.type === 'system' && message.subtype === 'init' && message.session_id) {
      if (message.session_id === this.reported) return [];
      this.reported = message.session_id;
      return [{ type: 'session', sessionId: message.session_id, fresh: this.fresh }];
    }
    // Subagents' own messages stay inside; the host sees the lead agent's conversation. An API
    // error is not the agent speaking: it arrives once, as the error result.
    if (message.type === 'stream_event' && !message.parent_tool_use_id && message.event) {
      return this.partial.map(message.event);
    }
    if (message.type === 'assistant' && !message.parent_tool_use_id && !message.error) {
      return contentBlocks(message).flatMap((block) => this.blockEvent(block));
    }
    if (message.type !== 'result') return [];
    // Usage first: the host may close the run as soon as it sees the result.
    const usage = sdkUsageEvent(message);
    if (isErrorResult(message)) {
      return [
        ...usage,
        { type: 'error', message: this.mask(resultError(message)), retryable: true },
      ];
    }
    const text = typeof message.result === 'string' ? this.mask(message.result) : '';
    return [
      ...usage,
      { type: 'result', text, ...(message.session_id ? { sessionId: message.session_id } : {}) },
    ];
  }

  private blockEvent(block: Record<string, unknown>): RunnerToHost[] {
    if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
      return [{ type: 'text', text: this.mask(block.text) }];
    }
    if (block.type === 'tool_use' && typeof block.name === 'string') {
      const summary = summarizeToolInput(block.input, (text) => this.mask(text));
      return [{ type: 'tool', name: block.name, summary }];
    }
    return [];
  }

  /** The text with every secret masked (for errors raised outside the SDK stream). */
  masked(text: string): string {
    return this.mask(text);
  }

  private mask(text: string): string {
    return this.secrets.reduce(
      (out, secret) => (secret ? out.split(secret).join(MASK) : out),
      text,
    );
  }
}
