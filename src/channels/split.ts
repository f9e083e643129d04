/**
 * Splits a Markdown reply into chunks that each fit a platform's message limit once rendered,
 * cutting at paragraphs, then lines, then words, and only as a last resort inside a word. A
 * fenced code block is never cut open: one longer than the limit becomes several blocks, each
 * closed and reopened with the same fence (and language). Pure; every channel passes its own
 * `measure` (the size of its rendered form: HTML length for Telegram, plain length elsewhere).
 */

export interface SplitOptions {
  /** Most rendered characters per chunk. */
  limit: number;
  /** The size of a Markdown piece once rendered for the platform; default: its length. */
  measure?: (markdown: string) => number;
}

type Block =
  { kind: 'text'; lines: string[] } | { kind: 'code'; open: string; close: string; body: string[] };

/** A piece that fits alone, and how it joins the piece before it. */
interface Piece {
  text: string;
  sep: string;
}

const FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;

function isClose(line: string, marker: string): boolean {
  const m = FENCE.exec(line);
  return !!m && m[2]?.[0] === marker[0] && (m[2]?.length ?? 0) >= marker.length && !m[3]?.trim();
}

/** Paragraphs (split at blank lines) and fenced code blocks (kept whole, blank lines and all). */
function blocks(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let para: string[] = [];
  const flush = () => {
    if (para.length > 0) out.push({ kind: 'text', lines: para });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const open = FENCE.exec(line);
    const marker = open?.[2] ?? '';
    // A backtick fence's info string may not contain a backtick (CommonMark).
    if (open && !(marker.startsWith('`') && open[3]?.includes('`'))) {
      flush();
      const body: string[] = [];
      let close = marker;
      for (i++; i < lines.length; i++) {
        const next = lines[i] ?? '';
        if (isClose(next, marker)) {
          close = next;
          break;
        }
        body.push(next);
      }
      out.push({ kind: 'code', open: line, close, body });
    } else if (line.trim() === '') {
      flush();
    } else {
      para.push(line);
    }
  }
  flush();
  return out;
}

/** The longest prefix of `text` (at least one character) for which `fits(wrap(prefix))`. */
function longestPrefix(text: string, fits: (s: string) => boolean, wrap: (s: string) => string) {
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(wrap(text.slice(0, mid)))) lo = mid;
    else hi = mid - 1;
  }
  // Never split a surrogate pair.
  const code = text.charCodeAt(lo - 1);
  if (lo > 1 && lo < text.length && code >= 0xd800 && code <= 0xdbff) lo -= 1;
  return lo;
}

function hardSplit(text: string, fits: (s: string) => boolean, wrap: (s: string) => string) {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const n = fits(wrap(rest)) ? rest.length : longestPrefix(rest, fits, wrap);
    parts.push(rest.slice(0, n));
    rest = rest.slice(n);
  }
  return parts;
}

function textPieces(lines: string[], fits: (s: string) => boolean): Piece[] {
  const out: Piece[] = [];
  for (const line of lines) {
    if (fits(line)) {
      out.push({ text: line, sep: '\n' });
      continue;
    }
    line.split(' ').forEach((word, i) => {
      const sep = i === 0 ? '\n' : ' ';
      if (fits(word)) out.push({ text: word, sep });
      else
        hardSplit(word, fits, (s) => s).forEach((p, j) => out.push({ text: p, sep: j ? '' : sep }));
    });
  }
  return out;
}

/** Code lines packed into as few closed blocks as fit; a too-long line is cut across blocks. */
function codePieces(
  block: Extract<Block, { kind: 'code' }>,
  fits: (s: string) => boolean,
): Piece[] {
  const wrap = (body: string) => `${block.open}\n${body}\n${block.close}`;
  const out: Piece[] = [];
  let body: string[] = [];
  const flush = () => {
    if (body.length > 0) out.push({ text: wrap(body.join('\n')), sep: '\n' });
    body = [];
  };
  for (const line of block.body) {
    if (fits(wrap([...body, line].join('\n')))) {
      body.push(line);
      continue;
    }
    flush();
    if (fits(wrap(line))) body.push(line);
    else for (const part of hardSplit(line, fits, wrap)) out.push({ text: wrap(part), sep: '\n' });
  }
  flush();
  return out.length > 0 ? out : [{ text: wrap(''), sep: '\n' }];
}

function blockText(block: Block): string {
  return block.kind === 'text'
    ? block.lines.join('\n')
    : [block.open, ...block.body, block.close].join('\n');
}

/** The chunks, in order; each measures at most `limit` (unless one character alone exceeds it). */
export function splitMarkdown(markdown: string, options: SplitOptions): string[] {
  const measure = options.measure ?? ((s: string) => s.length);
  const fits = (s: string) => measure(s) <= options.limit;
  const chunks: string[] = [];
  let current = '';
  const add = (piece: Piece) => {
    const joined = current ? `${current}${piece.sep}${piece.text}` : piece.text;
    if (fits(joined)) current = joined;
    else {
      if (current) chunks.push(current);
      current = piece.text;
    }
  };
  for (const block of blocks(markdown)) {
    const whole = blockText(block);
    // A block too long for any chunk starts a fresh one, so its cuts are its own.
    if (!fits(whole) && current) {
      chunks.push(current);
      current = '';
    }
    const pieces = fits(whole)
      ? [{ text: whole, sep: '\n' }]
      : block.kind === 'text'
        ? textPieces(block.lines, fits)
        : codePieces(block, fits);
    pieces.forEach((piece, i) => add(i === 0 ? { ...piece, sep: '\n\n' } : piece));
  }
  if (current.trim()) chunks.push(current);
  return chunks;
}
