/**
 * The agent's Markdown as Telegram HTML (https://core.telegram.org/bots/api#html-style): bold,
 * italic, strikethrough, inline code, code blocks with their language, links, blockquotes; lists
 * and tables become plain text lines. Everything else is escaped text: raw HTML from the agent
 * is shown, never passed through as markup. Pure.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';

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

function inline(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((t) => inlineToken(t as MarkedToken)).join('');
}

function inlineToken(t: MarkedToken): string {
  switch (t.type) {
    case 'strong':
      return `<b>${inline(t.tokens)}</b>`;
    case 'em':
      return `<i>${inline(t.tokens)}</i>`;
    case 'del':
      return `<s>${inline(t.tokens)}</s>`;
    case 'codespan':
      return `<code>${escapeHtml(t.text)}</code>`;
    case 'br':
      return '\n';
    case 'link':
      return link(t);
    case 'image':
      return SAFE_LINK.test(t.href)
        ? `<a href="${escapeAttr(t.href)}">${escapeHtml(t.text || t.href)}</a>`
        : escapeHtml(t.text);
    case 'text':
      return t.tokens ? inline(t.tokens) : escapeHtml(t.text);
    case 'escape':
    case 'html':
      return escapeHtml(t.text);
    case 'checkbox':
      return t.checked ? '☑ ' : '☐ ';
    default:
      return escapeHtml(t.raw);
  }
}

function link(t: Tokens.Link): string {
  const text = inline(t.tokens) || escapeHtml(t.href);
  return SAFE_LINK.test(t.href) ? `<a href="${escapeAttr(t.href)}">${text}</a>` : text;
}

function list(t: Tokens.List, depth: number): string {
  const start = typeof t.start === 'number' ? t.start : 1;
  const indent = '   '.repeat(depth);
  return t.items
    .map((item, i) => {
      const bullet = t.ordered ? `${start + i}.` : '•';
      const task = item.task ? (item.checked ? '☑ ' : '☐ ') : '';
      const body = item.tokens
        .filter((c) => c.type !== 'checkbox')
        .map((c) =>
          c.type === 'list' ? `\n${list(c as Tokens.List, depth + 1)}` : block(c, depth),
        )
        .join('')
        .trim();
      return `${indent}${bullet} ${task}${body}`;
    })
    .join('\n');
}

function table(t: Tokens.Table): string {
  const row = (cells: readonly Tokens.TableCell[]) =>
    cells.map((c) => inline(c.tokens)).join(' | ');
  return [`<b>${row(t.header)}</b>`, ...t.rows.map(row)].join('\n');
}

function block(token: Token, depth = 0): string {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'paragraph':
      return inline(t.tokens);
    case 'heading':
      return `<b>${inline(t.tokens)}</b>`;
    case 'code': {
      const lang = t.lang?.match(/^[\w+#.-]+/)?.[0];
      const cls = lang ? ` class="language-${escapeAttr(lang)}"` : '';
      return `<pre><code${cls}>${escapeHtml(t.text)}</code></pre>`;
    }
    case 'blockquote':
      return `<blockquote>${blocks(t.tokens, depth)}</blockquote>`;
    case 'list':
      return list(t, depth);
    case 'table':
      return table(t);
    case 'hr':
      return '———';
    case 'space':
    case 'def':
      return '';
    case 'text':
      return t.tokens ? inline(t.tokens) : escapeHtml(t.text);
    case 'html':
      return escapeHtml(t.text);
    default:
      return escapeHtml(t.raw);
  }
}

function blocks(tokens: readonly Token[], depth = 0): string {
  return tokens
    .map((t) => block(t, depth))
    .filter((s) => s !== '')
    .join('\n\n');
}

/** Markdown → Telegram HTML. */
export function renderHtml(markdown: string): string {
  return blocks(new Lexer({ gfm: true }).lex(markdown)).trim();
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
