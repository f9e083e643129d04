/**
 * The agent's Markdown as a chat platform's own text markup: one walk over marked's tokens, with
 * a per-platform table of how each element is written. Lists and tables become plain text lines
 * everywhere; headings and table headers are written strong; a rule is a line of dashes. Pure.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';

/** How one platform writes each element; bodies given to it are already rendered. */
export interface MarkupStyle {
  /** Text as the platform must receive it (its entities escaped, or as is). */
  escape(text: string): string;
  strong(body: string): string;
  em(body: string): string;
  del(body: string): string;
  /** Inline code: `text` is raw, the style escapes it as it needs. */
  codespan(text: string): string;
  /** A code block: `text` raw, `lang` as the agent wrote it. */
  code(text: string, lang: string | undefined): string;
  /** `label` is the rendered link text (may be empty). */
  link(href: string, label: string): string;
  /** `alt` is raw. */
  image(href: string, alt: string): string;
  quote(body: string): string;
  /** What one level of list nesting indents by. */
  listIndent: string;
}

const box = (checked: boolean | undefined) => (checked ? '☑ ' : '☐ ');

function inline(s: MarkupStyle, tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((t) => inlineToken(s, t as MarkedToken)).join('');
}

function inlineToken(s: MarkupStyle, t: MarkedToken): string {
  switch (t.type) {
    case 'strong':
      return s.strong(inline(s, t.tokens));
    case 'em':
      return s.em(inline(s, t.tokens));
    case 'del':
      return s.del(inline(s, t.tokens));
    case 'codespan':
      return s.codespan(t.text);
    case 'br':
      return '\n';
    case 'link':
      return s.link(t.href, inline(s, t.tokens));
    case 'image':
      return s.image(t.href, t.text);
    case 'text':
      return t.tokens ? inline(s, t.tokens) : s.escape(t.text);
    case 'escape':
    case 'html':
      return s.escape(t.text);
    case 'checkbox':
      return box(t.checked);
    default:
      return s.escape(t.raw);
  }
}

function list(s: MarkupStyle, t: Tokens.List, depth: number): string {
  const start = typeof t.start === 'number' ? t.start : 1;
  const indent = s.listIndent.repeat(depth);
  return t.items
    .map((item, i) => {
      const bullet = t.ordered ? `${start + i}.` : '•';
      const task = item.task ? box(item.checked) : '';
      const body = item.tokens
        .filter((c) => c.type !== 'checkbox')
        .map((c) =>
          c.type === 'list' ? `\n${list(s, c as Tokens.List, depth + 1)}` : block(s, c, depth),
        )
        .join('')
        .trim();
      return `${indent}${bullet} ${task}${body}`;
    })
    .join('\n');
}

function table(s: MarkupStyle, t: Tokens.Table): string {
  const row = (cells: readonly Tokens.TableCell[]) =>
    cells.map((c) => inline(s, c.tokens)).join(' | ');
  return [s.strong(row(t.header)), ...t.rows.map(row)].join('\n');
}

function block(s: MarkupStyle, token: Token, depth = 0): string {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'paragraph':
      return inline(s, t.tokens);
    case 'heading':
      return s.strong(inline(s, t.tokens));
    case 'code':
      return s.code(t.text, t.lang);
    case 'blockquote':
      return s.quote(blocks(s, t.tokens, depth));
    case 'list':
      return list(s, t, depth);
    case 'table':
      return table(s, t);
    case 'hr':
      return '———';
    case 'space':
    case 'def':
      return '';
    case 'text':
      return t.tokens ? inline(s, t.tokens) : s.escape(t.text);
    case 'html':
      return s.escape(t.text);
    default:
      return s.escape(t.raw);
  }
}

function blocks(s: MarkupStyle, tokens: readonly Token[], depth = 0): string {
  return tokens
    .map((t) => block(s, t, depth))
    .filter((b) => b !== '')
    .join('\n\n');
}

/** Markdown → the platform's text, written as `style` says. */
export function renderMarkup(markdown: string, style: MarkupStyle): string {
  return blocks(style, new Lexer({ gfm: true }).lex(markdown)).trim();
}

/** Prefixes every line with `> ` (the quote of Slack, WhatsApp and others). */
export const quoteLines = (body: string): string =>
  body
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');

/** Wraps in a marker unless empty (WhatsApp shows `**` literally). */
const wrap = (marker: string) => (body: string) =>
  body.trim() ? `${marker}${body}${marker}` : body;

/**
 * WhatsApp's own formatting (https://faq.whatsapp.com/539178204879377), shared by the whatsapp
 * and whatsapp-cloud skills: no escaping and no HTML; links become `text (url)`.
 */
export const WHATSAPP_STYLE: MarkupStyle = {
  escape: (text) => text,
  strong: wrap('*'),
  em: wrap('_'),
  del: wrap('~'),
  codespan: wrap('`'),
  code: (text) => `\`\`\`\n${text}\n\`\`\``,
  link: (href, label) => (!label || label === href ? href : `${label} (${href})`),
  image: (href, alt) => (alt ? `${alt} (${href})` : href),
  quote: quoteLines,
  listIndent: '   ',
};
