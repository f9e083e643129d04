import { describe, expect, it } from 'vitest';
import { visibleSoFar } from '../runs/text.js';
import { EventMapper } from './events.js';
import {
  PARTIAL_INTERVAL_MS,
  PARTIAL_MAX_CHARS,
  PartialText,
  withoutSecretStart,
} from './partial.js';

const SECRET = 'cap-0123456789abcdef';
const start = { type: 'content_block_start', index: 0, content_block: { type: 'text' } };
const delta = (text: string) => ({
  type: 'content_block_delta',
  index: 0,
  delta: { type: 'text_delta', text },
});
const mask = (text: string) => text.split(SECRET).join('[redacted]');

/** A clock the test moves: each delta arrives `step` ms after the one before. */
function partialText(step: number) {
  let at = 0;
  return new PartialText([SECRET], mask, () => (at += step));
}

describe('streamed text', () => {
  it('sends the text so far, growing, at most every interval', () => {
    const slow = partialText(PARTIAL_INTERVAL_MS);
    slow.map(start);
    expect(slow.map(delta('Hello'))).toEqual([{ type: 'text', text: 'Hello', partial: true }]);
    expect(slow.map(delta(' world'))).toEqual([
      { type: 'text', text: 'Hello world', partial: true },
    ]);
    const fast = partialText(PARTIAL_INTERVAL_MS / 4);
    const sent = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].flatMap((t) => fast.map(delta(t)));
    expect(sent.length).toBe(2); // 8 deltas in 2 intervals
    expect(sent.map((e) => (e.type === 'text' ? e.text : ''))).toEqual(['a', 'abcde']);
  });

  it('starts again with each text block and ignores other events', () => {
    const partial = partialText(PARTIAL_INTERVAL_MS);
    partial.map(start);
    partial.map(delta('first block'));
    partial.map(start);
    expect(partial.map(delta('second'))).toEqual([{ type: 'text', text: 'second', partial: true }]);
    expect(
      partial.map({ type: 'content_block_delta', delta: { type: 'input_json_delta' } }),
    ).toEqual([]);
    expect(partial.map({ type: 'message_delta' })).toEqual([]);
  });

  it('never shows a secret, not even one split across deltas', () => {
    const partial = partialText(PARTIAL_INTERVAL_MS);
    partial.map(start);
    const shown = ['The key is cap-0123', '456789ab', 'cdef, keep it.'].flatMap((t) =>
      partial.map(delta(t)),
    );
    const texts = shown.map((e) => (e.type === 'text' ? e.text : ''));
    expect(texts).toEqual(['The key is ', 'The key is [redacted], keep it.']);
    for (const text of texts) expect(text).not.toMatch(/cap-0|0123|4567/);
  });

  it('holds back only a tail that could begin a secret', () => {
    expect(withoutSecretStart('pay ca', [SECRET])).toBe('pay ');
    expect(withoutSecretStart('pay cat', [SECRET])).toBe('pay cat');
    expect(withoutSecretStart('done', [SECRET, ''])).toBe('done');
  });

  it('stops streaming a block past the size cap', () => {
    const partial = partialText(PARTIAL_INTERVAL_MS);
    partial.map(start);
    expect(partial.map(delta('x'.repeat(PARTIAL_MAX_CHARS + 1)))).toHaveLength(1);
    expect(partial.map(delta('more'))).toEqual([]);
  });

  it("maps only the lead's stream events (a subagent's stay inside)", () => {
    let at = 0;
    const events = new EventMapper(false, [SECRET], () => (at += PARTIAL_INTERVAL_MS));
    events.map({ type: 'stream_event', parent_tool_use_id: null, event: start });
    expect(
      events.map({ type: 'stream_event', parent_tool_use_id: null, event: delta('Hi') }),
    ).toEqual([{ type: 'text', text: 'Hi', partial: true }]);
    const sub = { type: 'stream_event', parent_tool_use_id: 'toolu_1', event: delta(' there') };
    expect(events.map(sub)).toEqual([]);
  });

  it('the host shows nothing of internal reasoning still being written', () => {
    expect(visibleSoFar('Sure. <internal>thinking about')).toBe('Sure.');
    expect(visibleSoFar('Sure. <inte')).toBe('Sure.');
    expect(visibleSoFar('a <internal>x</internal> b <')).toBe('a  b');
    expect(visibleSoFar('2 < 3')).toBe('2 < 3');
  });
});
