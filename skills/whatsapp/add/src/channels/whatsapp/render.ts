/**
 * The agent's Markdown in WhatsApp's own formatting (https://faq.whatsapp.com/539178204879377):
 * `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```monospace blocks``` ````, `> quotes` and
 * lists as text. Links become `text (url)`; headings bold; tables rows of ` | `. WhatsApp has no
 * escaping and no HTML, so everything else is passed as the text it is. Pure. The same file is
 * the whatsapp-cloud skill's src/channels/wacloud/render.ts: each skill applies on its own.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';

/** WhatsApp's limit for one text message's body. */
export const MESSAGE_LIMIT = 4096;
/** WhatsApp's limit for a media caption. */
export const CAPTION_LIMIT = 1024;

function inline(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((t) => inlineToken(t as MarkedToken)).join('');
}

/** Wraps in a marker unless empty (WhatsApp shows `**` literally). */
const wrap = (marker: string, body: string) => (body.trim() ? `${marker}${body}${marker}` : body);

function inlineToken(t: MarkedToken): string {
  switch (t.type) {
    case 'strong':
      return wrap('*', inline(t.tokens));
    case 'em':
      return wrap('_', inline(t.tokens));
    case 'del':
      return wrap('~', inline(t.tokens));
    case 'codespan':
      return wrap('`', t.text);
    case 'br':
      return '\n';
    case 'link': {
      const text = inline(t.tokens);
      return !text || text === t.href ? t.href : `${text} (${t.href})`;
    }
    case 'image':
      return t.text ? `${t.text} (${t.href})` : t.href;
    case 'text':
      return t.tokens ? inline(t.tokens) : t.text;
    case 'escape':
    case 'html':
      return t.text;
    case 'checkbox':
      return t.checked ? '☑ ' : '☐ ';
    default:
      return t.raw;
  }
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
  return [wrap('*', row(t.header)), ...t.rows.map(row)].join('\n');
}

function block(token: Token, depth = 0): string {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'paragraph':
      return inline(t.tokens);
    case 'heading':
      return wrap('*', inline(t.tokens));
    case 'code':
      return `\`\`\`\n${t.text}\n\`\`\``;
    case 'blockquote':
      return blocks(t.tokens, depth)
        .split('\n')
        .map((line) => `> ${line}`)
        .join('\n');
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
      return t.tokens ? inline(t.tokens) : t.text;
    case 'html':
      return t.text;
    default:
      return t.raw;
  }
}

function blocks(tokens: readonly Token[], depth = 0): string {
  return tokens
    .map((t) => block(t, depth))
    .filter((s) => s !== '')
    .join('\n\n');
}

/** Markdown → WhatsApp-formatted text. */
export function renderWhatsApp(markdown: string): string {
  return blocks(new Lexer({ gfm: true }).lex(markdown)).trim();
}
