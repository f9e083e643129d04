import { describe, expect, it } from 'vitest';
import { jsonUsageTap, sseUsageTap, usageTapFor } from './tap.js';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** A streamed answer as the Messages API sends it (usage in message_start and message_delta). */
const STREAM =
  event('message_start', {
    type: 'message_start',
    message: {
      model: 'claude-sonnet-4-5-20250929',
      usage: {
        input_tokens: 1200,
        output_tokens: 1,
        cache_read_input_tokens: 3000,
        cache_creation_input_tokens: 400,
      },
    },
  }) +
  event('content_block_start', { type: 'content_block_start', index: 0 }) +
  event('content_block_delta', {
    type: 'content_block_delta',
    index: 0,
    // A delta that mentions the usage event names must not be taken for one.
    delta: { type: 'text_delta', text: '"message_delta" "usage": {"output_tokens": 999}' },
  }) +
  event('content_block_stop', { type: 'content_block_stop', index: 0 }) +
  event('message_delta', { type: 'message_delta', delta: {}, usage: { output_tokens: 87 } }) +
  event('message_stop', { type: 'message_stop' });

const EXPECTED = {
  model: 'claude-sonnet-4-5-20250929',
  tokens: { input: 1200, output: 87, cacheRead: 3000, cacheWrite: 400 },
};

describe('sseUsageTap', () => {
  it('reads usage from message_start and the cumulative message_delta', () => {
    const tap = sseUsageTap();
    tap.feed(Buffer.from(STREAM));
    expect(tap.result()).toEqual(EXPECTED);
  });

  it('gives the same figures however the stream is cut into chunks (even inside a character)', () => {
    const bytes = Buffer.from(
      STREAM.replace('"type":"message_stop"', '"type":"message_stop","x":"é"'),
    );
    for (const size of [1, 2, 3, 7, 64]) {
      const tap = sseUsageTap();
      for (let i = 0; i < bytes.length; i += size) tap.feed(bytes.subarray(i, i + size));
      expect(tap.result()).toEqual(EXPECTED);
    }
  });

  it('keeps what a cut stream reported (the input was billed)', () => {
    const tap = sseUsageTap();
    tap.feed(Buffer.from(STREAM.slice(0, STREAM.indexOf('event: content_block_delta'))));
    expect(tap.result()?.tokens).toEqual({
      input: 1200,
      output: 1,
      cacheRead: 3000,
      cacheWrite: 400,
    });
  });

  it('reads data lines without event names, with CRLF line ends', () => {
    const tap = sseUsageTap();
    const text = STREAM.replace(/event: [a-z_]+\n/g, '').replace(/\n/g, '\r\n');
    tap.feed(Buffer.from(text));
    expect(tap.result()).toEqual(EXPECTED);
  });

  it('skips an oversized line instead of buffering it, then goes on', () => {
    const tap = sseUsageTap();
    tap.feed(Buffer.from(`data: ${'x'.repeat(300 * 1024)}`));
    tap.feed(Buffer.from(`${'y'.repeat(1024)}\n\n${STREAM}`));
    expect(tap.result()).toEqual(EXPECTED);
  });

  it('reports nothing for a stream without usage or with bad figures', () => {
    const tap = sseUsageTap();
    tap.feed(Buffer.from(event('ping', { type: 'ping' })));
    tap.feed(
      Buffer.from(
        event('message_delta', { type: 'message_delta', usage: { output_tokens: -5 } }) +
          'data: {not json\n\n',
      ),
    );
    expect(tap.result()).toBeUndefined();
  });
});

describe('jsonUsageTap', () => {
  it('reads usage from a JSON body at its end', () => {
    const body = JSON.stringify({
      model: 'claude-haiku-4-5',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: null },
    });
    const tap = jsonUsageTap();
    tap.feed(Buffer.from(body.slice(0, 9)));
    tap.feed(Buffer.from(body.slice(9)));
    expect(tap.result()).toEqual({
      model: 'claude-haiku-4-5',
      tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 0 },
    });
  });

  it('reports nothing for an error body or a truncated one', () => {
    const error = jsonUsageTap();
    error.feed(Buffer.from('{"type":"error","error":{"type":"overloaded_error"}}'));
    expect(error.result()).toBeUndefined();
    const cut = jsonUsageTap();
    cut.feed(Buffer.from('{"usage":{"input_tokens":1'));
    expect(cut.result()).toBeUndefined();
  });
});

describe('usageTapFor', () => {
  it('picks the tap by content type, none for others', () => {
    expect(usageTapFor('text/event-stream; charset=utf-8')).toBeDefined();
    expect(usageTapFor('application/json')).toBeDefined();
    expect(usageTapFor('text/html')).toBeUndefined();
    expect(usageTapFor(undefined)).toBeUndefined();
  });
});
