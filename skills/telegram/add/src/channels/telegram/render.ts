/**
 * The agent's Markdown as Telegram HTML (https://core.telegram.org/bots/api#html-style): bold,
 * italic, strikethrough, inline code, code blocks with their language, links, blockquotes; lists
 * and tables become plain text lines. Everything else is escaped text: raw HTML from the agent
 * is shown, never passed through as markup. Pure.
 */
import { renderMarkup, type MarkupStyle } from '../markdown.js';

/** Telegram's limit for one message's text. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit for a photo's or document's caption. */
export const CAPTION_LIMIT = 1024;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const escapeAttr = (text: string) => escapeHtml(text).replace(/"/g, '&quot;');

/** Only links a chat client can open safely become links; anything else stays text. */
const SAFE_LINK = /^(https?:\/\/|mailto:|tg:\/\/)/i;

const anchor = (href: string, text: string) => `<a href="${escapeAttr(href)}">${text}</a>`;

const HTML: MarkupStyle = {
  escape: escapeHtml,
  strong: (body) => `<b>${body}</b>`,
  em: (body) => `<i>${body}</i>`,
  del: (body) => `<s>${body}</s>`,
  codespan: (text) => `<code>${escapeHtml(text)}</code>`,
  code(text, lang) {
    const name = lang?.match(/^[\w+#.-]+/)?.[0];
    const cls = name ? ` class="language-${escapeAttr(name)}"` : '';
    return `<pre><code${cls}>${escapeHtml(text)}</code></pre>`;
  },
  link(href, label) {
    const text = label || escapeHtml(href);
    return SAFE_LINK.test(href) ? anchor(href, text) : text;
  },
  image: (href, alt) =>
    SAFE_LINK.test(href) ? anchor(href, escapeHtml(alt || href)) : escapeHtml(alt),
  quote: (body) => `<blockquote>${body}</blockquote>`,
  listIndent: '   ',
};

/** Markdown → Telegram HTML. */
export function renderHtml(markdown: string): string {
  return renderMarkup(markdown, HTML);
}

/** What Telegram would show for `html`, as plain text (the fallback when markup is refused). */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}
