/**
 * The shared Markdown walker with a toy style that tags each element, so the walk itself is
 * checked in the core tree (each channel skill tests its own style's exact output).
 */
import { describe, expect, it } from 'vitest';
import { renderMarkup, quoteLines, WHATSAPP_STYLE, type MarkupStyle } from './markdown.js';

const TAGS: MarkupStyle = {
  escape: (t) => t.replace(/</g, '&lt;'),
  strong: (b) => `[b:${b}]`,
  em: (b) => `[i:${b}]`,
  del: (b) => `[s:${b}]`,
  codespan: (t) => `[c:${t}]`,
  code: (t, lang) => `[pre${lang ? `:${lang}` : ''}:${t}]`,
  link: (href, label) => `[a:${href}|${label}]`,
  image: (href, alt) => `[img:${href}|${alt}]`,
  quote: (b) => `[q:${b}]`,
  listIndent: '..',
};

describe('markdown walker', () => {
  it('hands every element to the style, nested, with raw text escaped', () => {
    const out = renderMarkup(
      '# Title\n\n**bold _both_** ~~gone~~ `x<y` [site](https://a.example) <b>raw</b>\n\n> quoted\n\n```js\nlet a = 1 < 2;\n```',
      TAGS,
    );
    expect(out).toContain('[b:Title]');
    expect(out).toContain('[b:bold [i:both]] [s:gone] [c:x<y] [a:https://a.example|site]');
    expect(out).toContain('&lt;b>raw&lt;/b>');
    expect(out).toContain('[q:quoted]');
    expect(out).toContain('[pre:js:let a = 1 < 2;]');
  });

  it('writes lists as lines, nested by the style indent, with task boxes', () => {
    const out = renderMarkup('- one\n  - two\n- [x] done\n\n1. first\n2. second', TAGS);
    expect(out.split('\n')).toEqual(
      expect.arrayContaining(['• one', '..• two', '• ☑ done', '1. first', '2. second']),
    );
  });

  it('quotes every line; WhatsApp writes its own markup', () => {
    expect(quoteLines('a\nb')).toBe('> a\n> b');
    expect(renderMarkup('**hi** _there_', WHATSAPP_STYLE)).toBe('*hi* _there_');
  });
});

// WHATSAPP_STYLE serves both WhatsApp skills: its exact output is tested once, here.
describe('Markdown → WhatsApp formatting', () => {
  it.each([
    ['**bold** and *italic* and ~~gone~~', '*bold* and _italic_ and ~gone~'],
    ['`x = 1`', '`x = 1`'],
    ['```ts\nconst a = 1;\n```', '```\nconst a = 1;\n```'],
    ['# Title\n\ntext', '*Title*\n\ntext'],
    ['[docs](https://example.com)', 'docs (https://example.com)'],
    ['<https://example.com>', 'https://example.com'],
    ['- one\n- two\n  1. sub', '• one\n• two\n   1. sub'],
    ['> quoted\n> more', '> quoted\n> more'],
    ['| a | b |\n|---|---|\n| 1 | 2 |', '*a | b*\n1 | 2'],
    ['<b>raw html</b> stays text', '<b>raw html</b> stays text'],
    ['**bold _nested italic_**', '*bold _nested italic_*'],
    ['- [x] done\n- [ ] todo', '• ☑ done\n• ☐ todo'],
  ])('%j → %j', (markdown, expected) => {
    expect(renderMarkup(markdown, WHATSAPP_STYLE)).toBe(expected);
  });

  it('keeps a code block verbatim (no formatting inside)', () => {
    expect(renderMarkup('```\n**not bold** _x_\n```', WHATSAPP_STYLE)).toBe(
      '```\n**not bold** _x_\n```',
    );
  });
});
