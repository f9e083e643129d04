/**
 * Anthropic Messages request → OpenAI Chat Completions request (pure). The body comes from the
 * sandbox, so it is parsed with zod and a malformed known block fails the request; fields that
 * have no Chat Completions equivalent (metadata, thinking, cache_control, context_management,
 * output_config, top_k, server tools) are dropped, as docs/MODELS.md lists.
 */
import { z } from 'zod';

const Text = z.object({ type: z.literal('text'), text: z.string() });
const ImageSource = z.union([
  z.object({ type: z.literal('base64'), media_type: z.string().max(100), data: z.string() }),
  z.object({ type: z.literal('url'), url: z.string().max(8192) }),
]);
const Image = z.object({ type: z.literal('image'), source: ImageSource });
const ToolUse = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(200),
  input: z.unknown(),
});
const ToolResult = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(200),
  content: z.union([z.string(), z.array(z.object({ type: z.string() }).loose())]).optional(),
  is_error: z.boolean().optional(),
});
const AnyBlock = z.object({ type: z.string() }).loose();
const Content = z.union([z.string(), z.array(AnyBlock)]);

const ToolSchema = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    type: z.string().optional(),
  })
  .loose();

const ToolChoice = z.object({
  type: z.enum(['auto', 'any', 'tool', 'none']),
  name: z.string().optional(),
  disable_parallel_tool_use: z.boolean().optional(),
});

export const MessagesRequest = z.object({
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().positive(),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant', 'system']), content: Content })),
  system: Content.optional(),
  tools: z.array(ToolSchema).optional(),
  tool_choice: ToolChoice.optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
});
export type MessagesRequest = z.infer<typeof MessagesRequest>;
type Block = z.infer<typeof AnyBlock>;

export type ChatPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };
export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens: number;
  tools?: {
    type: 'function';
    function: { name: string; description?: string; parameters: Record<string, unknown> };
  }[];
  tool_choice?: 'auto' | 'required' | 'none' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export class TranslationError extends Error {}

export interface RequestOptions {
  /** Largest max_tokens sent (many endpoints refuse the SDK's 128000); none: as asked. */
  maxTokens?: number;
}

const blocksOf = (content: string | Block[]): Block[] =>
  typeof content === 'string' ? [{ type: 'text', text: content }] : content;

function parse<T>(schema: z.ZodType<T>, block: Block): T {
  const parsed = schema.safeParse(block);
  if (!parsed.success) throw new TranslationError(`malformed ${block.type} block`);
  return parsed.data;
}

function imageUrl(block: Block): ChatPart {
  const { source } = parse(Image, block);
  const url =
    source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
  return { type: 'image_url', image_url: { url } };
}

/** Thinking is dropped (it cannot be sent back to another model); others leave a visible note. */
function part(block: Block): ChatPart | undefined {
  if (block.type === 'text') return { type: 'text', text: parse(Text, block).text };
  if (block.type === 'image') return imageUrl(block);
  if (block.type === 'thinking' || block.type === 'redacted_thinking') return undefined;
  return { type: 'text', text: `[${block.type} omitted: the model endpoint cannot take it]` };
}

/** Text-only content as one string: some OpenAI-compatible servers accept nothing else. */
function contentOf(parts: ChatPart[]): string | ChatPart[] {
  if (parts.every((p) => p.type === 'text')) {
    return parts.map((p) => (p as { text: string }).text).join('\n\n');
  }
  return parts;
}

type ToolMessage = Extract<ChatMessage, { role: 'tool' }>;

function toolMessage(block: Block): { message: ToolMessage; images: ChatPart[] } {
  const result = parse(ToolResult, block);
  const parts = result.content === undefined ? [] : blocksOf(result.content).map(part);
  const texts = parts.filter((p) => p?.type === 'text').map((p) => (p as { text: string }).text);
  const images = parts.filter((p): p is ChatPart => p?.type === 'image_url');
  const text = texts.join('\n\n');
  return {
    message: {
      role: 'tool',
      tool_call_id: result.tool_use_id,
      content: result.is_error ? `Error: ${text}` : text,
    },
    images,
  };
}

/** Tool results first (Chat Completions wants them right after the calls), then the rest. */
function userMessages(content: string | Block[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  const parts: ChatPart[] = [];
  for (const block of blocksOf(content)) {
    if (block.type === 'tool_result') {
      const { message, images } = toolMessage(block);
      out.push(message);
      // Tool messages cannot carry images: they follow in the next user message.
      if (images.length > 0) {
        parts.push({ type: 'text', text: `Images from tool result ${message.tool_call_id}:` });
        parts.push(...images);
      }
      continue;
    }
    const translated = part(block);
    if (translated) parts.push(translated);
  }
  if (parts.length > 0) out.push({ role: 'user', content: contentOf(parts) });
  return out;
}

function assistantMessage(content: string | Block[]): ChatMessage {
  const texts: string[] = [];
  const calls: ChatToolCall[] = [];
  for (const block of blocksOf(content)) {
    if (block.type === 'tool_use') {
      const use = parse(ToolUse, block);
      const args = JSON.stringify(use.input ?? {});
      calls.push({ id: use.id, type: 'function', function: { name: use.name, arguments: args } });
    } else if (block.type === 'text') texts.push(parse(Text, block).text);
  }
  const text = texts.join('\n\n');
  return {
    role: 'assistant',
    content: text || (calls.length > 0 ? null : ''),
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
  };
}

function textOf(content: string | Block[]): string {
  return blocksOf(content)
    .filter((b) => b.type === 'text')
    .map((b) => parse(Text, b).text)
    .join('\n\n');
}

/**
 * The SDK puts `role: "system"` entries among the messages; many chat templates accept a system
 * message only first, so they join the leading one.
 */
function chatMessages(body: MessagesRequest): ChatMessage[] {
  const system = body.system === undefined ? [] : [textOf(body.system)];
  const rest: ChatMessage[] = [];
  for (const message of body.messages) {
    if (message.role === 'system') system.push(textOf(message.content));
    else if (message.role === 'user') rest.push(...userMessages(message.content));
    else rest.push(assistantMessage(message.content));
  }
  const prompt = system.filter(Boolean).join('\n\n');
  return prompt ? [{ role: 'system', content: prompt }, ...rest] : rest;
}

function toolChoice(choice: z.infer<typeof ToolChoice>): ChatRequest['tool_choice'] {
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'tool' && choice.name) {
    return { type: 'function', function: { name: choice.name } };
  }
  return 'auto';
}

function tools(body: MessagesRequest): Pick<ChatRequest, 'tools' | 'tool_choice'> {
  // Anthropic's server tools (web search, code execution…) have no input_schema: dropped.
  const custom = (body.tools ?? []).filter((t) => t.input_schema);
  if (custom.length === 0) return {};
  return {
    tools: custom.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema ?? {},
      },
    })),
    ...(body.tool_choice ? { tool_choice: toolChoice(body.tool_choice) } : {}),
  };
}

/** Parses and translates; throws TranslationError naming what is wrong. */
export function toChatRequest(raw: unknown, options: RequestOptions = {}): ChatRequest {
  const parsed = MessagesRequest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TranslationError(`${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  const body = parsed.data;
  const translated = tools(body);
  const parallel = body.tool_choice?.disable_parallel_tool_use;
  return {
    model: body.model,
    messages: chatMessages(body),
    max_tokens: Math.min(body.max_tokens, options.maxTokens ?? body.max_tokens),
    ...translated,
    ...(translated.tools && parallel ? { parallel_tool_calls: false } : {}),
    ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    ...(body.top_p !== undefined ? { top_p: body.top_p } : {}),
    ...(body.stop_sequences?.length ? { stop: body.stop_sequences } : {}),
    ...(body.stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}
