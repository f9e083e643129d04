/**
 * The fake Bot API's HTTP parsing: request bodies as Telegram takes them (JSON, urlencoded,
 * multipart with `attach://` references) and Telegram's HTML parse-mode check.
 */
import type http from 'node:http';

export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** Minimal check of Telegram's HTML parse mode: tags must be known and balanced. */
export function htmlParseError(text: string): string | undefined {
  const allowed = new Set([
    'b',
    'strong',
    'i',
    'em',
    'u',
    'ins',
    's',
    'strike',
    'del',
    'a',
    'code',
    'pre',
    'tg-spoiler',
    'blockquote',
    'span',
  ]);
  const stack: string[] = [];
  for (const m of text.matchAll(
    /<(\/?)([a-zA-Z-]+)[^>]*>|&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)/gi,
  )) {
    if (m[0].startsWith('&'))
      return `Can't parse entities: unsupported entity at byte offset ${m.index}`;
    const [, close, name] = m;
    const tag = (name ?? '').toLowerCase();
    if (!allowed.has(tag))
      return `Can't parse entities: unsupported start tag "${tag}" at byte offset ${m.index}`;
    if (!close) stack.push(tag);
    else if (stack.pop() !== tag)
      return `Can't parse entities: can't find end tag corresponding to start tag at byte offset ${m.index}`;
  }
  if (text.replace(/<[^>]*>/g, '').includes('<')) return "Can't parse entities: unclosed start tag";
  return stack.length
    ? `Can't parse entities: can't find end tag corresponding to start tag "${stack.at(-1)}"`
    : undefined;
}

export async function readBody(
  req: http.IncomingMessage,
): Promise<{ params: Record<string, unknown>; files: Record<string, UploadedFile> }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  const params: Record<string, unknown> = {};
  const files: Record<string, UploadedFile> = {};
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/.exec(type)?.[1];
    if (!boundary) throw new Error('multipart body without a boundary');
    for (const part of parseMultipart(body, boundary)) {
      if (part.filename === undefined) params[part.name] = parseScalar(part.data.toString('utf8'));
      else files[part.name] = { name: part.filename, bytes: part.data };
    }
    // Telegram's `attach://<name>` references a file part by its name.
    for (const [key, value] of Object.entries(params)) {
      const ref = typeof value === 'string' ? /^attach:\/\/(.+)$/.exec(value)?.[1] : undefined;
      const file = ref ? files[ref] : undefined;
      if (file) files[key] = file;
    }
  } else if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body.toString('utf8')))
      params[key] = parseScalar(value);
  } else if (body.length > 0) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  }
  return { params, files };
}

interface Part {
  name: string;
  filename: string | undefined;
  data: Buffer;
}

/** multipart/form-data as RFC 7578 allows it (grammY leaves names unquoted, headers lowercase). */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const chunk = body.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
    const split = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:([^\r\n]*)/i.exec(head)?.[1] ?? '';
    const name = /(?:^|;)\s*name="?([^";]+)"?/i.exec(disposition)?.[1];
    const filename = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    if (name) parts.push({ name, filename, data: chunk.subarray(split + 4) });
    at = next;
  }
  return parts;
}

/** Multipart and urlencoded fields are strings; JSON-looking ones (numbers, objects) are decoded. */
function parseScalar(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
