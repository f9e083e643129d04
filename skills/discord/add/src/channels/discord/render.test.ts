import { describe, expect, it } from 'vitest';
import { renderDiscord } from './render.js';
import { messageParts, partNonce } from './send.js';

describe('renderDiscord', () => {
  it('passes Markdown Discord renders through unchanged', () => {
    const md =
      '# Title\n\n**bold** _it_ ~~s~~ `c` [l](https://x.y)\n\n- a\n- b\n\n> quote\n\n```js\nx()\n```';
    expect(renderDiscord(md)).toBe(md);
  });

  it('turns a table into an aligned code block, deep headings into bold, a rule into a line', () => {
    expect(renderDiscord('| name | n |\n|---|---|\n| apples | 3 |')).toBe(
      '```\nname   | n\n-------+--\napples | 3\n```',
    );
    expect(renderDiscord('##### small')).toBe('**small**');
    expect(renderDiscord('a\n\n---\n\nb')).toBe('a\n\n──────────\n\nb');
  });

  it('keeps a backtick fence inside a table cell from closing the block', () => {
    expect(renderDiscord('| a |\n|---|\n| ``` |')).not.toMatch(/```\n.*```.*\n```/s);
  });
});

describe('messageParts', () => {
  const base = { chatId: 'discord:1', messageId: 'm1' };

  it('one part for a short text; the reply reference has no padding', () => {
    expect(messageParts({ ...base, text: 'hi', replyTo: '00000000000000000042' })).toEqual([
      { content: 'hi', replyTo: '42' },
    ]);
  });

  it('every part fits 2000 characters; only the first replies; the file rides on the last', () => {
    const file = { name: 'f.txt', mime: 'text/plain', bytes: Buffer.from('x') };
    const parts = messageParts({ ...base, text: 'word '.repeat(1000), replyTo: '7', file });
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.content.length).toBeLessThanOrEqual(2000);
    expect(parts.map((p) => p.replyTo)).toEqual(['7', undefined, undefined]);
    expect(parts.map((p) => p.file?.name)).toEqual([undefined, undefined, 'f.txt']);
  });

  it('a file without text is one part with empty content', () => {
    const file = { name: 'a.png', mime: 'image/png', bytes: Buffer.from('x') };
    expect(messageParts({ ...base, text: '', file })).toEqual([{ content: '', file }]);
  });

  it('nonces are stable per message and part, distinct otherwise, at most 25 characters', () => {
    expect(partNonce('m1', 0)).toBe(partNonce('m1', 0));
    expect(new Set([partNonce('m1', 0), partNonce('m1', 1), partNonce('m2', 0)]).size).toBe(3);
    expect(partNonce('m1', 0)).toHaveLength(25);
  });
});
