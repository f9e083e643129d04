import { describe, expect, it } from 'vitest';
import { toChatRequest, TranslationError } from './request.js';

const base = { model: 'qwen3-coder', max_tokens: 1024 };

describe('Anthropic request → Chat Completions request', () => {
  it('system prompt (blocks and in-conversation system entries) becomes one leading system message', () => {
    const chat = toChatRequest({
      ...base,
      system: [
        { type: 'text', text: 'billing header' },
        { type: 'text', text: 'You are an agent.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: '# Environment' },
      ],
    });
    expect(chat.messages).toEqual([
      { role: 'system', content: 'billing header\n\nYou are an agent.\n\n# Environment' },
      { role: 'user', content: 'hi' },
    ]);
    expect(JSON.stringify(chat)).not.toContain('cache_control');
  });

  it('a string system prompt; none at all gives no system message', () => {
    expect(toChatRequest({ ...base, system: 'S', messages: [] }).messages).toEqual([
      { role: 'system', content: 'S' },
    ]);
    expect(toChatRequest({ ...base, messages: [{ role: 'user', content: 'x' }] }).messages).toEqual(
      [{ role: 'user', content: 'x' }],
    );
  });

  it('images become data: URL image_url parts beside the text; url images keep their URL', () => {
    const chat = toChatRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
            { type: 'image', source: { type: 'url', url: 'https://example.org/a.jpg' } },
          ],
        },
      ],
    });
    expect(chat.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBO' } },
        { type: 'image_url', image_url: { url: 'https://example.org/a.jpg' } },
      ],
    });
  });

  it('tool_use → assistant tool_calls; tool_result → tool messages before the remaining user text', () => {
    const chat = toChatRequest({
      ...base,
      messages: [
        { role: 'user', content: 'run two' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Running.' },
            { type: 'tool_use', id: 'call_1', name: 'Bash', input: { command: 'ls' } },
            { type: 'tool_use', id: 'call_2', name: 'Read', input: { path: '/a' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'a.txt' },
            {
              type: 'tool_result',
              tool_use_id: 'call_2',
              is_error: true,
              content: [{ type: 'text', text: 'no such file' }],
            },
            { type: 'text', text: 'and then?' },
          ],
        },
      ],
    });
    expect(chat.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Running.',
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'Bash', arguments: '{"command":"ls"}' },
          },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'Read', arguments: '{"path":"/a"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: no such file' },
      { role: 'user', content: 'and then?' },
    ]);
    expect(JSON.stringify(chat)).not.toContain('hmm');
  });

  it('an assistant turn with only tool calls has null content; an image in a tool result follows as a user part', () => {
    const chat = toChatRequest({
      ...base,
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Shot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'screenshot' },
                {
                  type: 'image',
                  source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(chat.messages[0]).toMatchObject({ role: 'assistant', content: null });
    expect(chat.messages[1]).toEqual({ role: 'tool', tool_call_id: 't1', content: 'screenshot' });
    expect(chat.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Images from tool result t1:' },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAA' } },
      ],
    });
  });

  it('a block it cannot send (a PDF document) leaves a visible note instead of vanishing', () => {
    const chat = toChatRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'document', source: {} },
            { type: 'text', text: 'x' },
          ],
        },
      ],
    });
    expect(chat.messages[0]?.content).toBe(
      '[document omitted: the model endpoint cannot take it]\n\nx',
    );
  });

  it('tools → functions (server tools dropped); tool_choice and parallel calls', () => {
    const schema = { type: 'object', properties: { command: { type: 'string' } } };
    const tools = [
      { name: 'Bash', description: 'Run a command', input_schema: schema },
      { type: 'web_search_20250305', name: 'web_search' },
    ];
    const chat = (tool_choice: unknown) =>
      toChatRequest({ ...base, messages: [], tools, ...(tool_choice ? { tool_choice } : {}) });
    expect(chat(undefined).tools).toEqual([
      {
        type: 'function',
        function: { name: 'Bash', description: 'Run a command', parameters: schema },
      },
    ]);
    expect(chat(undefined).tool_choice).toBeUndefined();
    expect(chat({ type: 'auto' }).tool_choice).toBe('auto');
    expect(chat({ type: 'any' }).tool_choice).toBe('required');
    expect(chat({ type: 'none' }).tool_choice).toBe('none');
    expect(chat({ type: 'tool', name: 'Bash' }).tool_choice).toEqual({
      type: 'function',
      function: { name: 'Bash' },
    });
    expect(chat({ type: 'auto', disable_parallel_tool_use: true }).parallel_tool_calls).toBe(false);
    expect(chat({ type: 'auto' }).parallel_tool_calls).toBeUndefined();
  });

  it('sampling, stop sequences, streaming with usage; metadata, thinking and the rest dropped', () => {
    const chat = toChatRequest(
      {
        ...base,
        max_tokens: 128000,
        messages: [],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 5,
        stop_sequences: ['END'],
        stream: true,
        metadata: { user_id: 'device-1' },
        thinking: { type: 'adaptive' },
        context_management: { edits: [] },
        output_config: { effort: 'medium' },
      },
      { maxTokens: 8192 },
    );
    expect(chat).toEqual({
      model: 'qwen3-coder',
      messages: [],
      max_tokens: 8192,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(toChatRequest({ ...base, messages: [] }).max_tokens).toBe(1024);
    expect(toChatRequest({ ...base, messages: [] }).stream).toBeUndefined();
  });

  it('a malformed body or block is refused with what is wrong', () => {
    expect(() => toChatRequest({ messages: [] })).toThrow(TranslationError);
    expect(() => toChatRequest({ ...base, messages: 'x' })).toThrow(/messages/);
    expect(() =>
      toChatRequest({
        ...base,
        messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'Bash' }] }],
      }),
    ).toThrow(/malformed tool_use block/);
    expect(() =>
      toChatRequest({
        ...base,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file' } }] }],
      }),
    ).toThrow(/malformed image block/);
  });
});
