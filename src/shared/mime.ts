/**
 * File types by content and by name, for attachments in and out. Pure; shared by the host and
 * the agent runner (which sends only real images to the model).
 */

/** The image types the model accepts as image blocks. */
export const MODEL_IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
export type ModelImageType = (typeof MODEL_IMAGE_TYPES)[number];

const startsWith = (bytes: Uint8Array, prefix: readonly number[], at = 0) =>
  bytes.length >= at + prefix.length && prefix.every((b, i) => bytes[at + i] === b);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/** The image type the bytes really are (magic numbers), whatever the name or the sender said. */
export function sniffImage(bytes: Uint8Array): ModelImageType | undefined {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WEBP'), 8)) return 'image/webp';
  return undefined;
}

const BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  zip: 'application/zip',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  tgs: 'application/x-tgsticker',
};

/** A file's type from its content first, then its extension; octet-stream when unknown. */
export function guessMime(name: string, bytes: Uint8Array): string {
  const image = sniffImage(bytes);
  if (image) return image;
  if (startsWith(bytes, ascii('%PDF-'))) return 'application/pdf';
  const ext = /\.([A-Za-z0-9]{1,10})$/.exec(name)?.[1]?.toLowerCase();
  return (ext && BY_EXTENSION[ext]) ?? 'application/octet-stream';
}

/** An extension for a type (for a file saved without a name), or undefined. */
export function extensionFor(mime: string): string | undefined {
  const wanted = mime.split(';')[0]?.trim().toLowerCase();
  if (wanted === 'image/jpeg') return 'jpg';
  return Object.entries(BY_EXTENSION).find(([, type]) => type === wanted)?.[0];
}

/** Sizes for people: `812 bytes`, `34 KB`, `1.2 MB`, `30 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1).replace(/\.0$/, '') : Math.round(mb)} MB`;
}
