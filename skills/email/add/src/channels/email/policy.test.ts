import { describe, expect, it } from 'vitest';
import {
  decideSender,
  parseAllowlist,
  parseAuthResults,
  senderAllowed,
  verifySender,
  type AllowEntry,
} from './policy.js';

const GMAIL_PASS =
  'mx.google.com; dkim=pass header.i=@example.com header.s=s1 header.b=abc; ' +
  'spf=pass (google.com: domain of ann@example.com designates 1.2.3.4) smtp.mailfrom=ann@example.com; ' +
  'dmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.com';

describe('allowlist', () => {
  it('takes addresses and @domains, case-insensitively, and names a bad entry', () => {
    const list = parseAllowlist('Ann@Example.com, @family.org bob@x.io') as AllowEntry[];
    expect(list).toEqual([
      { address: 'ann@example.com' },
      { domain: 'family.org' },
      { address: 'bob@x.io' },
    ]);
    expect(senderAllowed('ANN@example.com', list)).toBe(true);
    expect(senderAllowed('kid@family.org', list)).toBe(true);
    expect(senderAllowed('kid@evil-family.org', list)).toBe(false);
    expect(senderAllowed('ann@example.com.evil.io', list)).toBe(false);
    expect(parseAllowlist('ann@example.com, nonsense')).toMatch(/"nonsense" is neither an address/);
  });
});

describe('Authentication-Results', () => {
  it('parses methods, results and properties, comments dropped', () => {
    const parsed = parseAuthResults(GMAIL_PASS);
    expect(parsed.authserv).toBe('mx.google.com');
    expect(parsed.results.map((r) => `${r.method}=${r.result}`)).toEqual([
      'dkim=pass',
      'spf=pass',
      'dmarc=pass',
    ]);
    expect(parsed.results[0]?.props['header.i']).toBe('@example.com');
  });

  it('not checked without a trusted authserv-id: the allowlist alone decides', () => {
    expect(verifySender('ann@example.com', [], undefined)).toEqual({ verdict: 'not-checked' });
  });

  it('passes on dmarc=pass, aligned dkim or aligned spf from the trusted server', () => {
    expect(verifySender('ann@example.com', [GMAIL_PASS], 'mx.google.com')).toMatchObject({
      verdict: 'pass',
      how: 'dmarc=pass',
    });
    const dkim =
      'mx.google.com; dkim=pass header.d=mail.example.com; spf=fail smtp.mailfrom=x@bulk.io';
    expect(verifySender('ann@example.com', [dkim], 'mx.google.com')).toMatchObject({
      how: 'dkim=pass (aligned)',
    });
    const spf = 'mx.google.com; dkim=none; spf=pass smtp.mailfrom=bounce@example.com';
    expect(verifySender('ann@example.com', [spf], 'mx.google.com')).toMatchObject({
      how: 'spf=pass (aligned)',
    });
  });

  it('fails on a pass for another domain, a missing header, or a forged one below the real one', () => {
    const otherDomain =
      'mx.google.com; dkim=pass header.d=evil.io; spf=pass smtp.mailfrom=a@evil.io; dmarc=fail header.from=example.com';
    expect(verifySender('ann@example.com', [otherDomain], 'mx.google.com')).toMatchObject({
      verdict: 'fail',
    });
    expect(verifySender('ann@example.com', [], 'mx.google.com')).toMatchObject({
      verdict: 'fail',
      why: /no Authentication-Results/,
    });
    // The receiving server's header is on top; the sender's forged "pass" below it does not count.
    const real =
      'mx.google.com; dkim=none; spf=softfail smtp.mailfrom=ann@example.com; dmarc=fail header.from=example.com';
    expect(verifySender('ann@example.com', [real, GMAIL_PASS], 'mx.google.com')).toMatchObject({
      verdict: 'fail',
    });
    // Another server's header is not trusted at all.
    expect(
      verifySender(
        'ann@example.com',
        [GMAIL_PASS.replace('mx.google.com', 'evil.io')],
        'mx.google.com',
      ),
    ).toMatchObject({ verdict: 'fail' });
  });
});

describe('decideSender', () => {
  const policy = {
    own: 'bot@example.com',
    allowlist: [{ address: 'ann@example.com' }],
    trustedAuthserv: undefined,
  };
  const mail = (
    from: string[],
    extra: Partial<{ automated: boolean; authResults: string[] }> = {},
  ) => ({
    from,
    authResults: [],
    automated: false,
    ...extra,
  });

  it('wakes for an allowed sender; keeps an automated mail as context only', () => {
    expect(decideSender(mail(['ann@example.com']), policy)).toMatchObject({ kind: 'wake' });
    expect(decideSender(mail(['ann@example.com'], { automated: true }), policy)).toMatchObject({
      kind: 'context',
    });
  });

  it('ignores strangers, its own mail, several From addresses and failed authentication', () => {
    expect(decideSender(mail(['eve@example.com']), policy)).toMatchObject({
      kind: 'ignore',
      why: 'sender not allowed',
    });
    expect(decideSender(mail(['bot@example.com']), policy)).toMatchObject({ kind: 'ignore' });
    expect(decideSender(mail(['ann@example.com', 'eve@example.com']), policy)).toMatchObject({
      kind: 'ignore',
    });
    expect(decideSender(mail([]), policy)).toMatchObject({ kind: 'ignore' });
    const strict = { ...policy, trustedAuthserv: 'mx.google.com' };
    expect(decideSender(mail(['ann@example.com']), strict)).toMatchObject({ kind: 'ignore' });
    const signed = mail(['ann@example.com'], {
      authResults: [GMAIL_PASS.replace(/example\.com/g, 'example.com')],
    });
    expect(decideSender(signed, strict)).toMatchObject({
      kind: 'wake',
      verification: { verdict: 'pass' },
    });
  });
});
