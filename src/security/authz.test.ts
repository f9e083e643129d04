import { describe, expect, it } from 'vitest';
import { canActOnGroup, canManageGroups, canSendTo } from './authz.js';

const main = { runId: 'r', group: { folder: 'main', isMain: true } };
const family = { runId: 'r', group: { folder: 'family', isMain: false } };

describe('authorization decisions', () => {
  it('send_message: own chat for everyone, other chats for main only', () => {
    expect(canSendTo(family, 'web:family', 'web:family')).toEqual({ allow: true });
    expect(canSendTo(family, 'web:family', 'web:main')).toMatchObject({ allow: false });
    expect(canSendTo(family, undefined, 'web:main')).toMatchObject({ allow: false });
    expect(canSendTo(main, 'web:main', 'web:family')).toEqual({ allow: true });
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
