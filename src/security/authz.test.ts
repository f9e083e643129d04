import { describe, expect, it } from 'vitest';
import { canActOnGroup, canManageGroups, canSendTo } from './authz.js';

const main = { runId: 'r', group: { folder: 'main', isMain: true } };
const family = { runId: 'r', group: { folder: 'family', isMain: false } };

describe('authorization decisions', () => {
  it('send_message: own chats for everyone, other chats for main only', () => {
    const own = ['web:family', 'telegram:-100'];
    expect(canSendTo(family, own, 'web:family')).toEqual({ allow: true });
    // A group with several chats may send to each of them.
    expect(canSendTo(family, own, 'telegram:-100')).toEqual({ allow: true });
    expect(canSendTo(family, own, 'web:main')).toMatchObject({ allow: false });
    expect(canSendTo(family, [], 'web:main')).toMatchObject({ allow: false });
    expect(canSendTo(main, ['web:main'], 'web:family')).toEqual({ allow: true });
  });

  it('managing groups: main only', () => {
    expect(canManageGroups(main)).toEqual({ allow: true });
    expect(canManageGroups(family)).toMatchObject({
      allow: false,
      reason: expect.stringContaining('main'),
    });
  });

  it('acting on a group: itself, or main for any', () => {
    expect(canActOnGroup(family, 'family')).toEqual({ allow: true });
    expect(canActOnGroup(family, 'main')).toMatchObject({ allow: false });
    expect(canActOnGroup(main, 'family')).toEqual({ allow: true });
  });
});
