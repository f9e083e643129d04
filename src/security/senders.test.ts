import { describe, expect, it } from 'vitest';
import { parseSenderPolicy, senderDecision } from './senders.js';

const owners = ['web-user'];

describe('sender policy', () => {
  it.each([
    [{ allow: 'all', mode: 'trigger' }, 'anyone', 'allow'],
    [{ allow: 'owner', mode: 'trigger' }, 'web-user', 'allow'],
    [{ allow: 'owner', mode: 'trigger' }, 'stranger', 'context'],
    [{ allow: 'owner', mode: 'drop' }, 'stranger', 'drop'],
    [{ allow: ['alice'], mode: 'trigger' }, 'alice', 'allow'],
    [{ allow: ['alice'], mode: 'trigger' }, 'web-user', 'allow'],
    [{ allow: ['alice'], mode: 'drop' }, 'bob', 'drop'],
  ] as const)('%j, sender %s → %s', (policy, sender, expected) => {
    expect(senderDecision(parseSenderPolicy(JSON.stringify(policy)), sender, owners)).toBe(
      expected,
    );
  });

  it('defaults to open, and fails closed on a corrupt policy', () => {
    expect(parseSenderPolicy(null)).toEqual({ allow: 'all', mode: 'trigger' });
    expect(parseSenderPolicy('{oops')).toEqual({ allow: 'owner', mode: 'drop' });
    expect(parseSenderPolicy('{"allow":"everyone"}')).toEqual({ allow: 'owner', mode: 'drop' });
  });
});
