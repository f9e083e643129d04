import { describe, expect, it } from 'vitest';
import { anthropicUsage, stopReason, toAnthropicMessage, toolInput } from './response.js';

describe('Chat Completions response → Anthropic message', () => {
  it('text and tool calls become blocks, with parsed arguments, usage and stop reason', () => {
    const message = toAnthropicMessage(
      {
        id: 'chatcmpl-1',
        model: 'qwen3-coder:latest',
        choices: [
          {
            message: {
              content: 'Let me look.',
              tool_calls: [
                { id: 'call_a', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
                { id: 'call.b', function: { name: 'Read', arguments: '' } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: 120,
          completion_tokens: 30,
          prompt_tokens_details: { cached_tokens: 100 },
        },
      },
      'qwen3-coder',
    );
    expect(message).toEqual({
      id: 'msg_chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'qwen3-coder:latest',
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_a', name: 'Bash', input: { command: 'ls' } },
        { type: 'tool_use', id: 'call_b', name: 'Read', input: {} },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 30,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('no model in the answer: the requested one; no usage: zeros; a refusal is a refusal', () => {
    const message = toAnthropicMessage(
      { choices: [{ message: { content: null, refusal: 'I cannot.' }, finish_reason: 'stop' }] },
      'asked-model',
    );
    expect(message.model).toBe('asked-model');
    expect(message.id).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(message.content).toEqual([{ type: 'text', text: 'I cannot.' }]);
    expect(message.stop_reason).toBe('refusal');
    expect(message.usage.input_tokens).toBe(0);
  });

  it('finish reasons', () => {
    expect(stopReason('stop', false)).toBe('end_turn');
    expect(stopReason('length', false)).toBe('max_tokens');
    expect(stopReason('tool_calls', true)).toBe('tool_use');
    // Some servers say "stop" after calling tools; calls decide.
    expect(stopReason('stop', true)).toBe('tool_use');
    // "tool_calls" without a call would leave the SDK waiting for one.
    expect(stopReason('tool_calls', false)).toBe('end_turn');
    expect(stopReason('content_filter', false)).toBe('refusal');
    expect(stopReason('eos', false)).toBe('end_turn');
    expect(stopReason(null, false)).toBe('end_turn');
  });

  it('invalid tool arguments reach the tool as invalid_json_arguments (its error goes back to the model)', () => {
    expect(toolInput('{"a":1}')).toEqual({ a: 1 });
    expect(toolInput('  ')).toEqual({});
    expect(toolInput(null)).toEqual({});
    expect(toolInput('{"a":')).toEqual({ invalid_json_arguments: '{"a":' });
    expect(toolInput('[1,2]')).toEqual({ invalid_json_arguments: '[1,2]' });
    expect(toolInput('"ls"')).toEqual({ invalid_json_arguments: '"ls"' });
  });

  it('cached tokens are taken out of the input (never below zero)', () => {
    expect(anthropicUsage({ prompt_tokens: 10, completion_tokens: 2 })).toEqual({
      input_tokens: 10,
      output_tokens: 2,
      cache_read_input_tokens: 0,
      cache_creation_input_tokens: 0,
    });
    expect(
      anthropicUsage({ prompt_tokens: 5, prompt_tokens_details: { cached_tokens: 9 } }),
    ).toMatchObject({ input_tokens: 0, cache_read_input_tokens: 5 });
    expect(anthropicUsage(undefined).output_tokens).toBe(0);
  });
});
