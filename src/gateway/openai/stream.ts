/**
 * OpenAI Chat Completions stream → Anthropic Messages event sequence: a pure state machine fed
 * one parsed `data:` payload at a time. Text is passed on as it comes; tool calls (which may be
 * parallel, interleaved by index, with arguments split across chunks) are assembled and sent whole
 * when the stream finishes, so what the SDK gets is always one valid JSON object per call (a
 * model's invalid JSON reaches the tool as `invalid_json_arguments`, see response.ts).
 */
import { z } from 'zod';
import { anthropicUsage, ChatUsage, messageId, stopReason, toolId, toolInput } from './response.js';

const ToolDelta = z.object({
  index: z.number().int().nonnegative().optional(),
  id: z.string().max(200).nullish(),
  function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

const ChunkSchema = z.object({
  id: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  choices: z
    .array(
      z.object({
        delta: z
          .object({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(ToolDelta).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: ChatUsage.nullish(),
});
const ErrorChunk = z.object({
  error: z.union([z.string(), z.object({ message: z.string().optional() }).loose()]),
});

export interface AnthropicEvent {
  type: string;
  [key: string]: unknown;
}

export interface StreamTranslator {
  /** One `data:` payload (not `[DONE]`), already JSON-parsed. */
  chunk(data: unknown): AnthropicEvent[];
  /**
   * `[DONE]` (`sawDone`) or the upstream ended: the closing events, or an error when it ended
   * without `[DONE]` or a finish reason (cut short).
   */
  end(sawDone: boolean): AnthropicEvent[];
  /** The upstream failed mid-stream. */
  fail(message: string, type?: string): AnthropicEvent[];
  /** Whether the sequence is complete (message_stop or error sent). */
  finished: boolean;
}

interface ToolState {
  id: string;
  name: string;
  args: string;
}

export function errorEvent(type: string, message: string): AnthropicEvent {
  return { type: 'error', error: { type, message } };
}

export function createStreamTranslator(requestedModel: string): StreamTranslator {
  return new Translator(requestedModel);
}

class Translator implements StreamTranslator {
  finished = false;
  private started = false;
  private nextIndex = 0;
  private textIndex: number | undefined;
  private finish: string | undefined;
  private usage: ChatUsage | undefined;
  private readonly tools = new Map<number, ToolState>();

  constructor(private readonly requestedModel: string) {}

  chunk(data: unknown): AnthropicEvent[] {
    if (this.finished) return [];
    const error = ErrorChunk.safeParse(data);
    if (error.success) {
      const e = error.data.error;
      return this.fail(`The model endpoint failed: ${typeof e === 'string' ? e : e.message}`);
    }
    const parsed = ChunkSchema.safeParse(data);
    if (!parsed.success)
      return this.fail('The model endpoint sent a chunk that is not a completion.');
    const chunk = parsed.data;
    const out: AnthropicEvent[] = [];
    this.start(out, chunk.id, chunk.model);
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta;
      const content = (delta?.content ?? '') + (delta?.refusal ?? '');
      if (content) this.text(out, content);
      for (const call of delta?.tool_calls ?? []) this.tool(call);
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    if (chunk.usage) this.usage = chunk.usage;
    return out;
  }

  end(sawDone: boolean): AnthropicEvent[] {
    if (this.finished) return [];
    if (!this.finish && !sawDone) {
      return this.fail('The model stream ended before the answer was complete.');
    }
    const out: AnthropicEvent[] = [];
    this.start(out);
    this.close(out);
    this.finished = true;
    return out;
  }

  fail(message: string, type = 'api_error'): AnthropicEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [errorEvent(type, message)];
  }

  private start(out: AnthropicEvent[], id?: string, model?: string): void {
    if (this.started) return;
    this.started = true;
    out.push({
      type: 'message_start',
      message: {
        id: messageId(id),
        type: 'message',
        role: 'assistant',
        model: model || this.requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // Chat Completions reports usage only at the end: message_delta carries it.
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  private text(out: AnthropicEvent[], delta: string): void {
    if (this.textIndex === undefined) {
      this.textIndex = this.nextIndex++;
      const block = { type: 'text', text: '' };
      out.push({ type: 'content_block_start', index: this.textIndex, content_block: block });
    }
    const textDelta = { type: 'text_delta', text: delta };
    out.push({ type: 'content_block_delta', index: this.textIndex, delta: textDelta });
  }

  private tool(delta: z.infer<typeof ToolDelta>): void {
    // Without an index (some servers), a new id is a new call and no id continues the last.
    const last = [...this.tools.keys()].at(-1);
    const byId = [...this.tools].find(([, t]) => delta.id && t.id === toolId(delta.id))?.[0];
    const key = delta.index ?? byId ?? (delta.id || last === undefined ? this.tools.size : last);
    const current = this.tools.get(key) ?? { id: toolId(delta.id), name: '', args: '' };
    current.name += delta.function?.name ?? '';
    current.args += delta.function?.arguments ?? '';
    this.tools.set(key, current);
  }

  private close(out: AnthropicEvent[]): void {
    if (this.textIndex !== undefined)
      out.push({ type: 'content_block_stop', index: this.textIndex });
    const calls = [...this.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => t);
    for (const call of calls) {
      const index = this.nextIndex++;
      const block = { type: 'tool_use', id: call.id, name: call.name, input: {} };
      out.push({ type: 'content_block_start', index, content_block: block });
      const json = JSON.stringify(toolInput(call.args));
      out.push({
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: json },
      });
      out.push({ type: 'content_block_stop', index });
    }
    out.push({
      type: 'message_delta',
      delta: { stop_reason: stopReason(this.finish, calls.length > 0), stop_sequence: null },
      usage: anthropicUsage(this.usage),
    });
    out.push({ type: 'message_stop' });
  }
}

/** One Anthropic server-sent event. */
export const encodeEvent = (event: AnthropicEvent) =>
  `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** A longer line than this is not a chunk we take (it is not buffered without end). */
const MAX_LINE = 16 * 1024 * 1024;

/**
 * Splits a server-sent event stream into its `data:` payloads, across chunk boundaries. Comment
 * lines (`: keep-alive`, OpenRouter's `: PROCESSING`) and `event:` lines are skipped.
 */
export function createSseDecoder() {
  let partial = '';
  return {
    feed(text: string): string[] {
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      if (partial.length > MAX_LINE) throw new RangeError('a stream line is too long');
      const out: string[] = [];
      for (const line of lines) {
        if (line.startsWith('data:')) out.push(line.slice(5).trim());
      }
      return out;
    },
    /** What is left when the stream ends without a final newline. */
    flush(): string[] {
      const rest = partial;
      partial = '';
      return rest.startsWith('data:') ? [rest.slice(5).trim()] : [];
    },
  };
}
