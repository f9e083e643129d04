/**
 * The agent's Markdown for Discord, which renders Markdown itself: most of it passes through
 * unchanged. What Discord does not render is rewritten: tables become an aligned code block,
 * headings deeper than `###` become bold lines, a rule becomes a line of box characters, and
 * raw HTML stays text. Pure.
 */
import { Lexer, type Token, type Tokens } from 'marked';

/** Discord's limit for one message's content. */
export const MESSAGE_LIMIT = 2000;

/** Characters of the table's cells as shown (inline Markdown kept; pipes unescaped). */
const cell = (c: Tokens.TableCell) => c.text.replace(/\\\|/g, '|').trim();

function table(t: Tokens.Table): string {
  const rows = [t.header.map(cell), ...t.rows.map((r) => r.map(cell))];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c + ' '.repeat((widths?.[i] ?? 0) - [...c].length))
      .join(' | ')
      .trimEnd();
  const rule = (widths ?? []).map((w) => '-'.repeat(w)).join('-+-');
  const [head, ...body] = rows;
  // Backticks in cells would close the block early.
  const text = [line(head ?? []), rule, ...body.map(line)].join('\n').replace(/```/g, 'ˋˋˋ');
  return '```\n' + text + '\n```';
}

function token(t: Token): string {
  switch (t.type) {
    case 'table':
      return table(t as Tokens.Table);
    case 'heading': {
      const h = t as Tokens.Heading;
      return h.depth <= 3 ? h.raw.trimEnd() : `**${h.text.trim()}**`;
    }
    case 'hr':
      return '──────────';
    default:
      return t.raw.replace(/\n+$/, '');
  }
}

/** Markdown → Markdown that Discord shows as meant. */
export function renderDiscord(markdown: string): string {
  const tokens = new Lexer({ gfm: true }).lex(markdown.replace(/\r\n?/g, '\n'));
  return tokens
    .filter((t) => t.type !== 'space' && t.type !== 'def')
    .map(token)
    .join('\n\n')
    .trim();
}
