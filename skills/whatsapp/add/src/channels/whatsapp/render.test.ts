import { describe, expect, it } from 'vitest';
import { renderWhatsApp } from './render.js';

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
    expect(renderWhatsApp(markdown)).toBe(expected);
  });

  it('keeps a code block verbatim (no formatting inside)', () => {
    expect(renderWhatsApp('```\n**not bold** _x_\n```')).toBe('```\n**not bold** _x_\n```');
  });
});
