import { describe, expect, it } from 'vitest';
import { checkAccess, type RequestFacts } from './guard.js';

const facts = (over: Partial<RequestFacts>): RequestFacts => ({
  method: 'GET',
  host: '127.0.0.1:4480',
  origin: undefined,
  authorization: undefined,
  queryToken: null,
  ...over,
});

describe('checkAccess without a token (loopback only)', () => {
  it('answers requests addressed to a loopback name', () => {
    for (const host of ['127.0.0.1:4480', 'localhost:4480', 'localhost', '[::1]:4480']) {
      expect(checkAccess(facts({ host }), undefined), host).toBeUndefined();
    }
  });

  it('refuses other Host names (DNS rebinding) and a missing Host', () => {
    for (const host of [
      'evil.example:4480',
      '127.0.0.1.evil.example',
      '10.0.0.2:4480',
      // Loopback names with anything glued on: the whole header must be one loopback host.
      '[::1]evil.example',
      '[::1]evil.example:4480',
      '[::1]:4480.evil.example',
      'localhost.evil.example',
      'localhost:4480@evil.example',
      'localhost:4480:80',
      'localhost:',
      ' localhost',
      '',
      undefined,
    ]) {
      expect(checkAccess(facts({ host }), undefined)?.status, String(host)).toBe(403);
    }
  });

  it('refuses writes from another origin, allows same-origin and origin-less ones', () => {
    const post = (origin: string | undefined) =>
      checkAccess(facts({ method: 'POST', origin }), undefined);
    expect(post('http://127.0.0.1:4480')).toBeUndefined();
    expect(post(undefined)).toBeUndefined();
    expect(post('http://evil.example')?.status).toBe(403);
    expect(post('http://127.0.0.1:9999')?.status).toBe(403);
    expect(post('null')?.status).toBe(403);
  });
});

describe('checkAccess with a token', () => {
  const token = 'a-very-long-web-token-123';

  it('needs the token as a bearer header or ?token=', () => {
    expect(checkAccess(facts({ authorization: `Bearer ${token}` }), token)).toBeUndefined();
    expect(checkAccess(facts({ queryToken: token }), token)).toBeUndefined();
    expect(checkAccess(facts({}), token)?.status).toBe(401);
    expect(checkAccess(facts({ authorization: 'Bearer nope' }), token)?.status).toBe(401);
    expect(checkAccess(facts({ authorization: token }), token)?.status).toBe(401);
    expect(checkAccess(facts({ queryToken: `${token}x` }), token)?.status).toBe(401);
  });
});
