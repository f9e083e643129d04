import { describe, expect, it } from 'vitest';
import {
  EventMapper,
  isInvalidSession,
  sdkUsageEvent,
  summarizeToolInput,
  type SdkMessageLike,
} from './events.js';

const CAP = 'cap_0123456789abcdef0123';
const init = (id: string): SdkMessageLike => ({ type: 'system', subtype: 'init', session_id: id });
const assistant = (content: unknown[], parent: string | null = null): SdkMessageLike => ({
  type: 'assistant',
  parent_tool_use_id: parent,
  message: { content },
});

describe('EventMapper', () => {
  it('reports the session once, although the CLI repeats init at every turn', () => {
    const events = new EventMapper(true, [CAP]);
    expect(events.map(init('s-1'))).toEqual([{ type: 'session', sessionId: 's-1', fresh: true }]);
    expect(events.map(init('s-1'))).toEqual([]);
    expect(new EventMapper(false, []).map(init('s-2'))).toEqual([
      { type: 'session', sessionId: 's-2', fresh: false },
    ]);
  });

  it('after a failed resume the new session is reported as fresh', () => {
    const events = new EventMapper(false, []);
    events.restartFresh();
    expect(events.map(init('s-3'))).toEqual([{ type: 'session', sessionId: 's-3', fresh: true }]);
  });

  it("maps the lead agent's text and tool calls, not a subagent's", () => {
    const events = new EventMapper(true, []);
    const lead = assistant([
      { type: 'text', text: 'Let me look.' },
      { type: 'text', text: '  ' },
      { type: 'tool_use', name: 'Bash', input: { command: 'ls -la', description: 'List files' } },
      { type: 'thinking', thinking: 'hmm' },
    ]);
    expect(events.map(lead)).toEqual([
      { type: 'text', text: 'Let me look.' },
      { type: 'tool', name: 'Bash', summary: 'List files' },
    ]);
    expect(events.map(assistant([{ type: 'text', text: 'inner' }], 'toolu_1'))).toEqual([]);
    expect(events.map({ type: 'user', message: { content: 'tool output' } })).toEqual([]);
    // The CLI's synthetic "API Error" message: the error result reports it, once.
    const apiError = { ...assistant([{ type: 'text', text: 'API Error: refused' }]), error: 'x' };
    expect(events.map(apiError)).toEqual([]);
  });

  it('one result per turn; an error result becomes an error event', () => {
    const events = new EventMapper(true, []);
    const ok = { type: 'result', subtype: 'success', result: 'Hi!', session_id: 's-1' };
    expect(events.map(ok)).toEqual([{ type: 'result', text: 'Hi!', sessionId: 's-1' }]);
    const failed = { type: 'result', subtype: 'error_during_execution', errors: ['boom', 'bang'] };
    expect(events.map(failed)).toEqual([{ type: 'error', message: 'boom; bang', retryable: true }]);
    const apiError = { type: 'result', subtype: 'success', is_error: true, result: 'API Error' };
    expect(events.map(apiError)).toEqual([
      { type: 'error', message: 'API Error', retryable: true },
    ]);
  });

  it('never passes the capability on, in text, tool summaries or results', () => {
    const events = new EventMapper(true, [CAP]);
    const command = `curl -H "authorization: Bearer ${CAP}" $NANOCLAW_HOST_URL/api/x`;
    const out = [
      ...events.map(assistant([{ type: 'text', text: `my key is ${CAP}` }])),
      ...events.map(assistant([{ type: 'tool_use', name: 'Bash', input: { command } }])),
      ...events.map({ type: 'result', subtype: 'success', result: CAP }),
    ];
    expect(JSON.stringify(out)).not.toContain(CAP);
    expect(JSON.stringify(out)).toContain('[redacted]');
  });
});

describe('summarizeToolInput', () => {
  it('prefers a description, then the command, path or pattern, on one line', () => {
    expect(summarizeToolInput({ command: 'echo a\n  echo b' })).toBe('echo a echo b');
    expect(summarizeToolInput({ file_path: '/workspace/group/x.md', content: 'big' })).toBe(
      '/workspace/group/x.md',
    );
    expect(summarizeToolInput({ text: 'hi' })).toBe('{"text":"hi"}');
    expect(summarizeToolInput(undefined)).toBe('');
  });

  it('is at most 200 characters, and masks before cutting', () => {
    expect(summarizeToolInput({ command: 'x'.repeat(500) })).toHaveLength(200);
    const secret = 'S'.repeat(50);
    const cut = summarizeToolInput({ command: `${'x'.repeat(180)}${secret}` }, (t) =>
      t.split(secret).join('[redacted]'),
    );
    expect(cut).not.toContain('SSSS');
  });
});

describe('isInvalidSession', () => {
  it('knows what the CLI says about a session it cannot resume', () => {
    // Both texts as the CLI 2.1.331 printed them.
    expect(isInvalidSession('No conversation found with session ID: 3f1d2c9a-0000')).toBe(true);
    expect(
      isInvalidSession(
        'Error: --resume requires a valid session ID or session title when used with --print.',
      ),
    ).toBe(true);
    expect(isInvalidSession('API Error: 400 invalid_request_error')).toBe(false);
    expect(isInvalidSession('Connection refused')).toBe(false);
  });
});

describe('sdkUsageEvent', () => {
  it("passes the SDK's cumulative cost and per-model usage on, before the result", () => {
    const events = new EventMapper(true, []);
    const result = {
      type: 'result',
      subtype: 'success',
      result: 'Hi',
      total_cost_usd: 0.0123,
      modelUsage: {
        'claude-haiku-4-5': {
          inputTokens: 10,
          outputTokens: 5,
          cacheReadInputTokens: 100,
          cacheCreationInputTokens: 7,
          costUSD: 0.0123,
          contextWindow: 200000,
        },
        'bad-figures': { inputTokens: -1, outputTokens: 'x' },
      },
    };
    expect(events.map(result)).toEqual([
      {
        type: 'usage',
        costUsd: 0.0123,
        models: {
          'claude-haiku-4-5': {
            input: 10,
            output: 5,
            cacheRead: 100,
            cacheWrite: 7,
            costUsd: 0.0123,
          },
          'bad-figures': { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
        },
      },
      { type: 'result', text: 'Hi' },
    ]);
    expect(sdkUsageEvent({ type: 'result', subtype: 'success' })).toEqual([]);
  });
});
