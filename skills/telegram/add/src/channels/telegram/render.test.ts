import { describe, expect, it } from 'vitest';
import { htmlToPlain, renderHtml } from './render.js';

describe('renderHtml (Markdown → Telegram HTML)', () => {
  it('formats inline Markdown with the tags Telegram knows', () => {
    expect(renderHtml('**b** _i_ ~~s~~ `c` [l](https://x.y)')).toBe(
      '<b>b</b> <i>i</i> <s>s</s> <code>c</code> <a href="https://x.y">l</a>',
    );
  });

  it('escapes raw HTML and entities instead of passing them through', () => {
    expect(renderHtml('<script>alert(1)</script> &nbsp; a < b')).toBe(
      '&lt;script&gt;alert(1)&lt;/script&gt; &amp;nbsp; a &lt; b',
    );
    expect(renderHtml('<div onclick="x">block</div>')).toBe(
      '&lt;div onclick="x"&gt;block&lt;/div&gt;',
    );
  });

  it('keeps only safe link targets, and quotes them', () => {
    expect(renderHtml('[x](javascript:alert(1))')).toBe('x');
    expect(renderHtml('[x](https://a.b/?q="1"&r=2)')).toBe(
      '<a href="https://a.b/?q=&quot;1&quot;&amp;r=2">x</a>',
    );
  });

  it('renders code blocks with their language, headings bold, lists and quotes as text', () => {
    const md = '## Steps\n\n1. first\n2. second\n   - nested\n\n> note\n\n```sh\necho "<hi>"\n```';
    expect(renderHtml(md)).toBe(
      '<b>Steps</b>\n\n1. first\n2. second\n   • nested\n\n<blockquote>note</blockquote>\n\n' +
        '<pre><code class="language-sh">echo "&lt;hi&gt;"</code></pre>',
    );
  });

  it('gives the visible text for the plain fallback', () => {
    expect(htmlToPlain(renderHtml('**a** & <b>'))).toBe('a & <b>');
  });
});
