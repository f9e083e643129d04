/**
 * Webhook authenticity: Meta signs every POST with `X-Hub-Signature-256: sha256=<hex>`, the
 * HMAC-SHA256 of the raw body under the app secret. Checked over the exact bytes received (never
 * a re-serialised JSON) and compared in constant time. Pure.
 */
import crypto from 'node:crypto';

export type SignatureVerdict = 'ok' | 'missing' | 'malformed' | 'mismatch';

const HEADER = /^sha256=([0-9a-f]{64})$/i;

export function sign(appSecret: string, body: Buffer | string): string {
  return `sha256=${crypto.createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export function checkSignature(
  appSecret: string,
  body: Buffer,
  header: string | string[] | undefined,
): SignatureVerdict {
  if (header === undefined || header === '') return 'missing';
  if (Array.isArray(header)) return 'malformed';
  const hex = HEADER.exec(header.trim())?.[1];
  if (!hex) return 'malformed';
  const expected = crypto.createHmac('sha256', appSecret).update(body).digest();
  const given = Buffer.from(hex, 'hex');
  return crypto.timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}

/** The verify-token handshake: compared in constant time too (it is a shared secret). */
export function sameSecret(expected: string, given: string): boolean {
  const a = crypto.createHash('sha256').update(expected).digest();
  const b = crypto.createHash('sha256').update(given).digest();
  return crypto.timingSafeEqual(a, b);
}
