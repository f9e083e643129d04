/**
 * OpenAI Chat Completions response → Anthropic Messages response (pure): content and tool calls
 * become content blocks, finish_reason a stop_reason, usage Anthropic's usage. Shared by the
 * JSON and the streaming translation.
 */
import crypto from 'node:crypto';
import { z } from 'zod';

const Count = z.number().int().nonnegative().nullish();
export const ChatUsage = z
  .object({
    prompt_tokens: Count,
    completion_tokens: Count,
    prompt_tokens_details: z.object({ cached_tokens: Count }).nullish(),
  })
  .loose();
export type ChatUsage = z.infer<typeof ChatUsage>;

const ToolCall = z.object({
  id: z.string().max(200).nullish(),
  function: z.object({ name: z.string().max(200), arguments: z.string().nullish() }),
});

export const ChatCompletion = z.object({
  id: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
          tool_calls: z.array(ToolCall).nullish(),
        }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: ChatUsage.nullish(),
});
export type ChatCompletion = z.infer<typeof ChatCompletion>;

export type StopReason = 'end_turn' | 'max_tokens' | 'tool_use' | 'stop_sequence' | 'refusal';

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicBlock[];
  stop_reason: StopReason;
  stop_sequence: null;
  usage: AnthropicUsage;
}

/**
 * A content filter is a refusal (the SDK shows it as such); anything unknown ends the turn.
 * `tool_calls` only counts when calls came: some servers say `stop` after calling tools.
 */
export function stopReason(finish: string | null | undefined, hasTools: boolean): StopReason {
  if (hasTools) return 'tool_use';
  if (finish === 'length') return 'max_tokens';
  if (finish === 'content_filter') return 'refusal';
  return 'end_turn';
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic counts them apart. */
export function anthropicUsage(usage: ChatUsage | null | undefined): AnthropicUsage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = Math.min(usage?.prompt_tokens_details?.cached_tokens ?? 0, prompt);
  return {
    input_tokens: prompt - cached,
    output_tokens: usage?.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: 0,
  };
}

/**
 * Tool arguments must be a JSON object. What a model got wrong reaches the tool as
 * `invalid_json_arguments`, so its validation error goes back to the model, which can retry.
 */
export function toolInput(args: string | null | undefined): Record<string, unknown> {
  const text = args?.trim() ?? '';
  if (!text) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // not JSON: handed on as the raw text below
  }
  return { invalid_json_arguments: text };
}

export const messageId = (id?: string) =>
  `msg_${id ? id.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 60) : crypto.randomBytes(12).toString('hex')}`;
/** Anthropic tool ids are `[A-Za-z0-9_-]+`; the same id goes back upstream with the result. */
export function toolId(id?: string | null): string {
  const clean = (id ?? '').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 100);
  return clean || `toolu_${crypto.randomBytes(12).toString('hex')}`;
}

export function toAnthropicMessage(
  completion: ChatCompletion,
  requested: string,
): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicBlock[] = [];
  const text = message?.content ?? message?.refusal ?? '';
  if (text) content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: toolId(call.id),
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  const hasTools = content.some((b) => b.type === 'tool_use');
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: completion.model || requested,
    content,
    stop_reason:
      message?.refusal && !message.content
        ? 'refusal'
        : stopReason(choice?.finish_reason, hasTools),
    stop_sequence: null,
    usage: anthropicUsage(completion.usage),
  };
}
