/**
 * The agent's Markdown as Slack mrkdwn (https://api.slack.com/reference/surfaces/formatting):
 * *bold*, _italic_, ~strike~, `code`, ``` blocks, <url|links>, > quotes; headings become bold,
 * lists and tables plain text lines. Everything else is text with Slack's three entities
 * escaped, so nothing the agent writes becomes a mention (<!channel>, <@U…>) or a fake link.
 * Pure.
 */
import { Lexer, type MarkedToken, type Token, type Tokens } from 'marked';

/** Slack truncates a message's text at 40 000 characters and advises at most 4 000. */
export const MESSAGE_LIMIT = 4000;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Only links a chat client can open safely become links; anything else stays text. */
const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** `|` and `>` end Slack's link markup early; percent-encode them in the URL. */
const linkTarget = (href: string) => escapeMrkdwn(href.replace(/\|/g, '%7C').replace(/>/g, '%3E'));

function inline(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((t) => inlineToken(t as MarkedToken)).join('');
}

function inlineToken(t: MarkedToken): string {
  switch (t.type) {
    case 'strong':
      return `*${inline(t.tokens)}*`;
    case 'em':
      return `_${inline(t.tokens)}_`;
    case 'del':
      return `~${inline(t.tokens)}~`;
    case 'codespan':
      return `\`${escapeMrkdwn(t.text)}\``;
    case 'br':
      return '\n';
    case 'link':
      return link(t.href, inline(t.tokens));
    case 'image':
      return link(t.href, escapeMrkdwn(t.text));
    case 'text':
      return t.tokens ? inline(t.tokens) : escapeMrkdwn(t.text);
    case 'escape':
    case 'html':
      return escapeMrkdwn(t.text);
    case 'checkbox':
      return t.checked ? '☑ ' : '☐ ';
    default:
      return escapeMrkdwn(t.raw);
  }
}

function link(href: string, text: string): string {
  if (!SAFE_LINK.test(href)) return text || escapeMrkdwn(href);
  const label = text.replace(/\|/g, '¦');
  return label && label !== escapeMrkdwn(href)
    ? `<${linkTarget(href)}|${label}>`
    : `<${linkTarget(href)}>`;
}

function list(t: Tokens.List, depth: number): string {
  const start = typeof t.start === 'number' ? t.start : 1;
  const indent = '    '.repeat(depth);
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
  return [`*${row(t.header)}*`, ...t.rows.map(row)].join('\n');
}

function block(token: Token, depth = 0): string {
  const t = token as MarkedToken;
  switch (t.type) {
    case 'paragraph':
      return inline(t.tokens);
    case 'heading':
      return `*${inline(t.tokens)}*`;
    case 'code':
      // Slack's code blocks have no language; the fence must stand on its own lines.
      return `\`\`\`\n${escapeMrkdwn(t.text)}\n\`\`\``;
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
      return t.tokens ? inline(t.tokens) : escapeMrkdwn(t.text);
    case 'html':
      return escapeMrkdwn(t.text);
    default:
      return escapeMrkdwn(t.raw);
  }
}

function blocks(tokens: readonly Token[], depth = 0): string {
  return tokens
    .map((t) => block(t, depth))
    .filter((s) => s !== '')
    .join('\n\n');
}

/** Markdown → Slack mrkdwn. */
export function renderMrkdwn(markdown: string): string {
  return blocks(new Lexer({ gfm: true }).lex(markdown)).trim();
}
