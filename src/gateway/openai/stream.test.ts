import { describe, expect, it } from 'vitest';
import {
  createSseDecoder,
  createStreamTranslator,
  encodeEvent,
  type AnthropicEvent,
} from './stream.js';

const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}) => ({
  id: 'chatcmpl-9',
  object: 'chat.completion.chunk',
  model: 'qwen3-coder',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usageChunk = (prompt: number, completion: number, cached?: number) => ({
  id: 'chatcmpl-9',
  choices: [],
  usage: {
    prompt_tokens: prompt,
    completion_tokens: completion,
    ...(cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: cached } }),
  },
});

function run(chunks: unknown[], done = true): AnthropicEvent[] {
  const t = createStreamTranslator('asked');
  return [...chunks.flatMap((c) => t.chunk(c)), ...t.end(done)];
}

/** What the SDK would assemble from the events (as the Anthropic SDK's MessageStream does). */
function assemble(events: AnthropicEvent[]) {
  const blocks: Record<string, unknown>[] = [];
  const json: string[] = [];
  let stop: unknown;
  let usage: unknown;
  for (const e of events) {
    const index = e.index as number;
    if (e.type === 'content_block_start') {
      blocks[index] = { ...(e.content_block as object) };
      json[index] = '';
    }
    if (e.type === 'content_block_delta') {
      const d = e.delta as { type: string; text?: string; partial_json?: string };
      const block = blocks[index] as { text?: string };
      if (d.type === 'text_delta') block.text = `${block.text ?? ''}${d.text}`;
      else json[index] += d.partial_json ?? '';
    }
    if (
      e.type === 'content_block_stop' &&
      (blocks[index] as { type: string }).type === 'tool_use'
    ) {
      (blocks[index] as { input: unknown }).input = JSON.parse(json[index] as string);
    }
    if (e.type === 'message_delta') {
      stop = (e.delta as { stop_reason: string }).stop_reason;
      usage = e.usage;
    }
  }
  return { blocks, stop, usage };
}

describe('OpenAI stream → Anthropic events', () => {
  it('a text answer: the full sequence, text as it comes, usage in message_delta', () => {
    const events = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo.' }),
      chunk({}, 'stop'),
      usageChunk(50, 3, 20),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toMatchObject({
      message: { id: 'msg_chatcmpl-9', model: 'qwen3-coder', role: 'assistant', content: [] },
    });
    expect(events[2]).toEqual({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'Hel' },
    });
    expect(assemble(events)).toEqual({
      blocks: [{ type: 'text', text: 'Hello.' }],
      stop: 'end_turn',
      usage: {
        input_tokens: 30,
        output_tokens: 3,
        cache_read_input_tokens: 20,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('text is sent at once, before the stream ends', () => {
    const t = createStreamTranslator('asked');
    expect(t.chunk(chunk({ content: 'Hi' })).map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(t.chunk(chunk({ content: '!' }))).toHaveLength(1);
  });

  it('parallel tool calls, interleaved by index, arguments split across chunks', () => {
    const events = run([
      chunk({ content: 'Running both.' }),
      chunk({
        tool_calls: [
          { index: 0, id: 'call_A', type: 'function', function: { name: 'Bash', arguments: '' } },
        ],
      }),
      chunk({
        tool_calls: [
          {
            index: 1,
            id: 'call_B',
            type: 'function',
            function: { name: 'Read', arguments: '{"pa' },
          },
        ],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"comm' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: 'th":"/a"}' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: 'and":"ls -l"}' } }] }),
      chunk({}, 'tool_calls'),
      usageChunk(10, 20),
    ]);
    const { blocks, stop } = assemble(events);
    expect(blocks).toEqual([
      { type: 'text', text: 'Running both.' },
      { type: 'tool_use', id: 'call_A', name: 'Bash', input: { command: 'ls -l' } },
      { type: 'tool_use', id: 'call_B', name: 'Read', input: { path: '/a' } },
    ]);
    expect(stop).toBe('tool_use');
    // Blocks are sequential: each starts after the previous one stopped.
    const order = events
      .filter((e) => e.type.startsWith('content_block_') && e.type !== 'content_block_delta')
      .map((e) => `${e.type.slice(14)}${String(e.index)}`);
    expect(order).toEqual(['start0', 'stop0', 'start1', 'stop1', 'start2', 'stop2']);
  });

  it('tool calls without an index (some servers): a new id starts a call, no id continues it', () => {
    const events = run([
      chunk({ tool_calls: [{ id: 'c1', function: { name: 'Bash', arguments: '{"command":' } }] }),
      chunk({ tool_calls: [{ function: { arguments: '"pwd"}' } }] }),
      chunk({
        tool_calls: [{ id: 'c2', function: { name: 'Bash', arguments: '{"command":"id"}' } }],
      }),
      chunk({}, 'tool_calls'),
    ]);
    expect(assemble(events).blocks).toEqual([
      { type: 'tool_use', id: 'c1', name: 'Bash', input: { command: 'pwd' } },
      { type: 'tool_use', id: 'c2', name: 'Bash', input: { command: 'id' } },
    ]);
  });

  it('invalid streamed arguments still give one valid JSON object; a missing id gets one', () => {
    const events = run([
      chunk({
        tool_calls: [{ index: 0, function: { name: 'Bash', arguments: '{"command": "ls' } }],
      }),
      chunk({}, 'stop'),
    ]);
    const { blocks, stop } = assemble(events);
    expect(blocks[0]).toMatchObject({
      type: 'tool_use',
      name: 'Bash',
      input: { invalid_json_arguments: '{"command": "ls' },
    });
    expect((blocks[0] as { id: string }).id).toMatch(/^toolu_[0-9a-f]{24}$/);
    expect(stop).toBe('tool_use');
  });

  it('stop reasons: length → max_tokens, content_filter → refusal; usage in the last choice chunk', () => {
    const length = run([
      chunk({ content: 'long' }),
      chunk({}, 'length', { usage: { prompt_tokens: 7, completion_tokens: 9 } }),
    ]);
    expect(assemble(length)).toMatchObject({
      stop: 'max_tokens',
      usage: { input_tokens: 7, output_tokens: 9 },
    });
    expect(assemble(run([chunk({ content: 'x' }), chunk({}, 'content_filter')])).stop).toBe(
      'refusal',
    );
  });

  it('an empty answer and [DONE] without a finish reason still complete the message', () => {
    expect(run([], true).map((e) => e.type)).toEqual([
      'message_start',
      'message_delta',
      'message_stop',
    ]);
    expect(assemble(run([chunk({ content: 'ok' })], true)).stop).toBe('end_turn');
  });

  it('a stream cut short (no [DONE], no finish) ends in an Anthropic error event', () => {
    const events = run([chunk({ content: 'half' })], false);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: {
        type: 'api_error',
        message: 'The model stream ended before the answer was complete.',
      },
    });
    expect(events.map((e) => e.type)).not.toContain('message_stop');
  });

  it('an error chunk mid-stream becomes an error event; nothing follows it', () => {
    const t = createStreamTranslator('asked');
    t.chunk(chunk({ content: 'a' }));
    expect(t.chunk({ error: { message: 'Provider returned error', code: 502 } })).toEqual([
      {
        type: 'error',
        error: { type: 'api_error', message: 'The model endpoint failed: Provider returned error' },
      },
    ]);
    expect(t.finished).toBe(true);
    expect(t.chunk(chunk({ content: 'b' }))).toEqual([]);
    expect(t.end(true)).toEqual([]);
    expect(createStreamTranslator('m').chunk({ error: 'overloaded' })[0]).toMatchObject({
      error: { message: 'The model endpoint failed: overloaded' },
    });
    expect(createStreamTranslator('m').chunk({ choices: 'nope' })[0]).toMatchObject({
      type: 'error',
    });
  });

  it('without a model in the chunks the requested model is named', () => {
    const t = createStreamTranslator('asked');
    expect(t.chunk({ choices: [{ delta: { content: 'x' } }] })[0]).toMatchObject({
      message: { model: 'asked' },
    });
  });
});

describe('SSE decoding and encoding', () => {
  it('splits data payloads across chunk boundaries, skipping comments and event lines', () => {
    const d = createSseDecoder();
    expect(d.feed(': OPENROUTER PROCESSING\n\ndata: {"a"')).toEqual([]);
    expect(d.feed(':1}\r\n\r\nevent: x\ndata: [DONE]\n\ndata: {"b":2}')).toEqual([
      '{"a":1}',
      '[DONE]',
    ]);
    expect(d.flush()).toEqual(['{"b":2}']);
    expect(d.flush()).toEqual([]);
  });

  it('encodes an event as Anthropic does', () => {
    expect(encodeEvent({ type: 'message_stop' })).toBe(
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });
});
