import { describe, expect, it } from 'vitest';
import { SseParser } from './sse.js';

describe('SseParser', () => {
  it('parses events split across chunks, skipping comments', () => {
    const parser = new SseParser();
    expect(parser.push('event: message\ndata: {"a"')).toEqual([]);
    expect(parser.push(':1}\n\n: ping\n\nevent: typing\r\ndata: {"on":true}\r\n\r\n')).toEqual([
      { event: 'message', data: '{"a":1}' },
      { event: 'typing', data: '{"on":true}' },
    ]);
  });

  it('joins multi-line data and defaults the event name', () => {
    expect(new SseParser().push('data: one\ndata: two\n\n')).toEqual([
      { event: 'message', data: 'one\ntwo' },
    ]);
  });

  it('ignores blocks without data (retry, id) and keeps values without the optional space', () => {
    const parser = new SseParser();
    expect(parser.push('retry: 2000\n\nid: 7\n\n')).toEqual([]);
    expect(parser.push('event:status\ndata:{"x": "a: b"}\n\n')).toEqual([
      { event: 'status', data: '{"x": "a: b"}' },
    ]);
  });

  it('handles a CRLF split between two chunks as one line end', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\r')).toEqual([]);
    expect(parser.push('\ndata: b\r\n\r')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
