import { describe, expect, it } from 'vitest';
import { egressDecision, isPublicAddress, parseEgressPolicy } from './egress.js';

const publicMode = { mode: 'public' as const, allow: [] };

describe('egress decisions (on resolved addresses)', () => {
  it.each([
    ['93.184.216.34', true],
    ['2606:2800:220:1:248:1893:25c8:1946', true],
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.20.0.1', false],
    ['192.168.1.1', false],
    ['169.254.169.254', false],
    ['100.64.0.1', false],
    ['0.0.0.0', false],
    ['::1', false],
    ['fe80::1', false],
    ['fd00::1', false],
    ['::ffff:127.0.0.1', false],
    ['not-an-ip', false],
  ])('%s public: %s', (ip, expected) => {
    expect(isPublicAddress(ip)).toBe(expected);
  });

  it('public mode: any public address; a name resolving to loopback or metadata is refused', () => {
    expect(egressDecision(publicMode, 'example.com', 443, ['93.184.216.34'])).toEqual({
      allow: true,
      address: '93.184.216.34',
    });
    expect(egressDecision(publicMode, 'evil.example', 443, ['127.0.0.1'])).toMatchObject({
      allow: false,
      reason: expect.stringContaining('127.0.0.1'),
    });
    expect(egressDecision(publicMode, '169.254.169.254', 80, ['169.254.169.254'])).toMatchObject({
      allow: false,
    });
    expect(
      egressDecision(publicMode, 'mixed.example', 443, ['93.184.216.34', '10.0.0.1']),
    ).toMatchObject({ allow: false });
    expect(egressDecision(publicMode, 'nowhere.example', 443, [])).toMatchObject({
      allow: false,
      reason: expect.stringContaining('did not resolve'),
    });
  });

  it('an explicit host:port entry opens a private address, only on that port', () => {
    const policy = { mode: 'public' as const, allow: ['10.0.0.5:8080'] };
    expect(egressDecision(policy, '10.0.0.5', 8080, ['10.0.0.5'])).toEqual({
      allow: true,
      address: '10.0.0.5',
    });
    expect(egressDecision(policy, '10.0.0.5', 22, ['10.0.0.5'])).toMatchObject({ allow: false });
    // A bare host entry never opens a private address.
    expect(
      egressDecision({ mode: 'public', allow: ['intranet.local'] }, 'intranet.local', 80, [
        '10.0.0.5',
      ]),
    ).toMatchObject({ allow: false });
  });

  it('allowlist mode: listed domains only (wildcards for subdomains)', () => {
    const policy = { mode: 'allowlist' as const, allow: ['api.github.com', '*.wikipedia.org'] };
    expect(egressDecision(policy, 'api.github.com', 443, ['140.82.112.6'])).toMatchObject({
      allow: true,
    });
    expect(egressDecision(policy, 'en.wikipedia.org', 443, ['208.80.154.224'])).toMatchObject({
      allow: true,
    });
    expect(egressDecision(policy, 'github.com', 443, ['140.82.112.4'])).toMatchObject({
      allow: false,
      reason: expect.stringContaining('allowlist'),
    });
    expect(egressDecision(policy, 'api.github.com', 443, ['127.0.0.1'])).toMatchObject({
      allow: false,
    });
  });

  it('none mode refuses everything; a corrupt stored policy fails closed', () => {
    expect(
      egressDecision({ mode: 'none', allow: ['x:1'] }, 'x', 1, ['93.184.216.34']),
    ).toMatchObject({ allow: false });
    expect(parseEgressPolicy(null)).toEqual({ mode: 'public', allow: [] });
    expect(parseEgressPolicy('{oops')).toEqual({ mode: 'none', allow: [] });
  });
});
