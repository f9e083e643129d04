import { describe, expect, it } from 'vitest';
import { splitMarkdown } from './split.js';

const para = (n: number, word = 'word') => Array.from({ length: n }, () => word).join(' ');

/** Every fence opened in a chunk is closed in it (an even number of fence lines). */
const fencesBalanced = (chunk: string) =>
  chunk.split('\n').filter((l) => /^ {0,3}(```|~~~)/.test(l)).length % 2 === 0;

describe('splitMarkdown', () => {
  it('keeps a reply that fits as one chunk, unchanged', () => {
    const text = '# Title\n\nSome *text*.\n\n```js\nconst a = 1;\n```';
    expect(splitMarkdown(text, { limit: 4096 })).toEqual([text]);
  });

  it('cuts at paragraph boundaries first', () => {
    const a = para(30);
    const b = para(30, 'more');
    const chunks = splitMarkdown(`${a}\n\n${b}`, { limit: a.length + 10 });
    expect(chunks).toEqual([a, b]);
  });

  it('then at lines, then at words, never over the limit', () => {
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} ${para(5)}`).join('\n');
    const long = para(200);
    const chunks = splitMarkdown(`${lines}\n\n${long}`, { limit: 100 });
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(100);
    expect(chunks[0]?.startsWith('line 0 ')).toBe(true);
    expect(chunks.join(' ').replace(/\s+/g, ' ')).toBe(`${lines}\n\n${long}`.replace(/\s+/g, ' '));
    // Line chunks end at a line end (no line is cut while whole lines fit).
    expect(chunks[0]).toMatch(/word$/);
  });

  it('cuts inside a word only when one word is longer than the limit', () => {
    const word = 'x'.repeat(250);
    const chunks = splitMarkdown(`a ${word} b`, { limit: 100 });
    expect(chunks.every((c) => c.length <= 100)).toBe(true);
    expect(chunks.join('').replace(/\s/g, '')).toBe(`a${word}b`);
  });

  it('never breaks a fenced code block; a long one is closed and reopened with its language', () => {
    const code = Array.from({ length: 60 }, (_, i) => `  print(${i}) # ${para(3)}`).join('\n');
    const text = `Intro paragraph.\n\n\`\`\`python\n${code}\n\`\`\`\n\nAfter.`;
    const chunks = splitMarkdown(text, { limit: 400 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(400);
      expect(fencesBalanced(c)).toBe(true);
    }
    const codeChunks = chunks.filter((c) => c.includes('print('));
    for (const c of codeChunks) expect(c).toMatch(/```python\n[\s\S]*\n```/);
    // Every code line arrives whole and in order.
    const got = codeChunks.flatMap((c) => c.split('\n').filter((l) => l.includes('print(')));
    expect(got).toEqual(code.split('\n'));
    expect(chunks.at(-1)).toContain('After.');
  });

  it('keeps blank lines inside a code block and does not split there as a paragraph', () => {
    const text = 'See:\n\n~~~\na\n\nb\n~~~';
    expect(splitMarkdown(text, { limit: 4096 })).toEqual([text]);
    const chunks = splitMarkdown(`${para(10)}\n\n~~~\na\n\nb\n~~~`, { limit: 20 });
    expect(chunks.filter((c) => c.startsWith('~~~')).every(fencesBalanced)).toBe(true);
  });

  it('cuts a single over-long code line across several closed blocks', () => {
    const line = 'y'.repeat(300);
    const chunks = splitMarkdown(`\`\`\`\n${line}\n\`\`\``, { limit: 100 });
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(100);
      expect(c).toMatch(/^```\ny+\n```$/);
    }
    expect(chunks.map((c) => c.split('\n')[1]).join('')).toBe(line);
  });

  it('closes an unclosed fence at the end of the reply', () => {
    const chunks = splitMarkdown(`\`\`\`sh\n${'echo hi\n'.repeat(30)}`, { limit: 80 });
    for (const c of chunks) expect(c).toMatch(/^```sh\n[\s\S]*\n```$/);
  });

  it('measures the rendered form the channel passes', () => {
    // A renderer that doubles every "&" (like an HTML escape): chunks must fit after it.
    const measure = (md: string) => md.replace(/&/g, '&amp;').length;
    const text = Array.from({ length: 50 }, () => 'a & b & c').join('\n');
    const chunks = splitMarkdown(text, { limit: 60, measure });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(measure(c)).toBeLessThanOrEqual(60);
  });

  it('does not split a surrogate pair', () => {
    const chunks = splitMarkdown('😀'.repeat(100), { limit: 15 });
    for (const c of chunks) expect(c).toMatch(/^(?:😀)+$/u);
  });

  it('returns no chunk for an empty reply', () => {
    expect(splitMarkdown('  \n\n ', { limit: 10 })).toEqual([]);
  });
});
