/**
 * Reads a model response's token usage as it passes through the gateway, without holding the
 * stream back: server-sent events are scanned line by line and only `message_start` and
 * `message_delta` are parsed (not the per-token deltas); a JSON body is kept (bounded) and
 * parsed at its end. Pure: no I/O, the caller feeds the chunks it forwards anyway.
 */
import { z } from 'zod';

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface ParsedUsage {
  model: string | undefined;
  tokens: Tokens;
}

const Count = z.number().int().nonnegative().nullish();
const UsageSchema = z.object({
  input_tokens: Count,
  output_tokens: Count,
  cache_read_input_tokens: Count,
  cache_creation_input_tokens: Count,
});
type RawUsage = z.infer<typeof UsageSchema>;

const StartSchema = z.object({
  type: z.literal('message_start'),
  message: z.object({ model: z.string().max(200).optional(), usage: UsageSchema.optional() }),
});
const DeltaSchema = z.object({ type: z.literal('message_delta'), usage: UsageSchema.optional() });
const BodySchema = z.object({ model: z.string().max(200).optional(), usage: UsageSchema });

/** A longer SSE line or JSON body is not a usage carrier we need; it is skipped, not buffered. */
const MAX_LINE = 256 * 1024;
const MAX_JSON = 8 * 1024 * 1024;

export interface UsageTap {
  feed(chunk: Buffer): void;
  /** What was seen so far (a cut stream still reports the input tokens it was billed for). */
  result(): ParsedUsage | undefined;
}

/** Later figures replace earlier ones: `message_delta` usage is cumulative for the message. */
function merge(into: Tokens, usage: RawUsage): void {
  if (usage.input_tokens != null) into.input = usage.input_tokens;
  if (usage.output_tokens != null) into.output = usage.output_tokens;
  if (usage.cache_read_input_tokens != null) into.cacheRead = usage.cache_read_input_tokens;
  if (usage.cache_creation_input_tokens != null)
    into.cacheWrite = usage.cache_creation_input_tokens;
}

const zero = (): Tokens => ({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not a usage carrier: the response is forwarded all the same
  }
}

export function sseUsageTap(): UsageTap {
  const state = { partial: '', skipping: false, event: '', seen: false, model: '' };
  const tokens = zero();
  const onData = (data: string) => {
    // Cheap filter first: most lines are content deltas.
    const wanted =
      state.event === 'message_start' ||
      state.event === 'message_delta' ||
      (!state.event && /"message_(start|delta)"/.test(data));
    if (!wanted) return;
    const json = parseJson(data);
    const start = StartSchema.safeParse(json);
    if (start.success) {
      state.seen = true;
      state.model = start.data.message.model ?? state.model;
      if (start.data.message.usage) merge(tokens, start.data.message.usage);
      return;
    }
    const delta = DeltaSchema.safeParse(json);
    if (delta.success && delta.data.usage) {
      state.seen = true;
      merge(tokens, delta.data.usage);
    }
  };
  const onLine = (line: string) => {
    if (line === '') state.event = '';
    else if (line.startsWith('event:')) state.event = line.slice(6).trim();
    else if (line.startsWith('data:')) onData(line.slice(5).trimStart());
  };
  return {
    feed(chunk) {
      const text = state.partial + chunk.toString('utf8');
      const lines = text.split(/\r?\n/);
      const last = lines.pop() ?? '';
      for (const line of lines) {
        if (state.skipping) state.skipping = false;
        else onLine(line);
      }
      if (last.length > MAX_LINE) {
        state.partial = '';
        state.skipping = true;
      } else state.partial = last;
    },
    result: () =>
      state.seen ? { model: state.model || undefined, tokens: { ...tokens } } : undefined,
  };
}

export function jsonUsageTap(): UsageTap {
  const chunks: Buffer[] = [];
  let size = 0;
  return {
    feed(chunk) {
      size += chunk.length;
      if (size <= MAX_JSON) chunks.push(chunk);
    },
    result() {
      if (size > MAX_JSON) return undefined;
      const body = BodySchema.safeParse(parseJson(Buffer.concat(chunks).toString('utf8')));
      if (!body.success) return undefined;
      const tokens = zero();
      merge(tokens, body.data.usage);
      return { model: body.data.model, tokens };
    },
  };
}

/** The tap for a response by its content type; undefined for what carries no usage. */
export function usageTapFor(contentType: string | undefined): UsageTap | undefined {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'text/event-stream') return sseUsageTap();
  if (type === 'application/json') return jsonUsageTap();
  return undefined;
}

export const totalTokens = (t: Tokens) => t.input + t.output + t.cacheRead + t.cacheWrite;
