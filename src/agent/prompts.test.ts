import type { SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { PromptFeed } from './prompts.js';

const text = (m: IteratorResult<SDKUserMessage>) => (m.done ? 'END' : m.value.message.content);

describe('PromptFeed', () => {
  it('hands out messages as they come and ends after end()', async () => {
    const feed = new PromptFeed();
    const it = feed.stream()[Symbol.asyncIterator]();
    feed.push('one');
    expect(text(await it.next())).toBe('one');
    const waiting = it.next();
    feed.push('two');
    expect(text(await waiting)).toBe('two');
    feed.push('three');
    feed.end();
    expect(text(await it.next())).toBe('three');
    expect(text(await it.next())).toBe('END');
  });

  it('replays unanswered messages into a new stream, and the old stream takes nothing more', async () => {
    const feed = new PromptFeed();
    feed.push('first');
    const old = feed.stream()[Symbol.asyncIterator]();
    expect(text(await old.next())).toBe('first');
    const stale = old.next(); // a finished query may still be waiting on its stream
    feed.replay();
    const fresh = feed.stream()[Symbol.asyncIterator]();
    expect(text(await stale)).toBe('END');
    expect(text(await fresh.next())).toBe('first');
    feed.push('later');
    expect(text(await fresh.next())).toBe('later');
  });

  it('answered messages are not replayed', async () => {
    const feed = new PromptFeed();
    feed.push('done already');
    const it = feed.stream()[Symbol.asyncIterator]();
    await it.next();
    feed.answered();
    feed.replay();
    feed.end();
    expect(text(await feed.stream()[Symbol.asyncIterator]().next())).toBe('END');
  });
});
