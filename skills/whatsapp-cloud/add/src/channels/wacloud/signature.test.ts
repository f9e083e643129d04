import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSignature, sameSecret, sign } from './signature.js';

const SECRET = 'app-secret-0123456789abcdef';
const BODY = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
/** Computed independently of sign(): what Meta sends. */
const META = `sha256=${crypto.createHmac('sha256', SECRET).update(BODY).digest('hex')}`;

describe('X-Hub-Signature-256', () => {
  it('accepts the signature Meta computes over the raw body (any hex case)', () => {
    expect(sign(SECRET, BODY)).toBe(META);
    expect(checkSignature(SECRET, BODY, META)).toBe('ok');
    expect(checkSignature(SECRET, BODY, META.toUpperCase().replace('SHA256', 'sha256'))).toBe('ok');
  });

  it.each([
    ['no header', undefined, 'missing'],
    ['an empty header', '', 'missing'],
    ['a sha1 signature', `sha1=${'a'.repeat(40)}`, 'malformed'],
    ['a short digest', 'sha256=abcd', 'malformed'],
    ['two headers', [META, META], 'malformed'],
    ['another secret', sign('other-secret', BODY), 'mismatch'],
  ] as const)('refuses %s', (_name, header, verdict) => {
    expect(checkSignature(SECRET, BODY, header as string | string[] | undefined)).toBe(verdict);
  });

  it('refuses the right signature over a changed body (one byte, or re-serialised JSON)', () => {
    const changed = Buffer.from(BODY.toString().replace('[]', '[{}]'));
    expect(checkSignature(SECRET, changed, META)).toBe('mismatch');
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY.toString()), null, 1));
    expect(checkSignature(SECRET, reserialised, META)).toBe('mismatch');
  });

  it('compares verify tokens exactly', () => {
    expect(sameSecret('verify-token-xyz', 'verify-token-xyz')).toBe(true);
    expect(sameSecret('verify-token-xyz', 'verify-token-xy')).toBe(false);
    expect(sameSecret('verify-token-xyz', '')).toBe(false);
  });
});
