/**
 * The whatsapp channel factory: no WHATSAPP_ACCOUNT → no channel; settings from the
 * environment or the .env the skill system writes; an invalid setting → a channel that stays
 * failed with the fix; the auth state always under the data directory.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../../src/channels/whatsapp/index.js';
import { parseSettings } from '../../../src/channels/whatsapp/settings.js';
import { keyFile } from '../../../src/channels/whatsapp/auth-store.js';
import { factoryHomes } from '../../support/channel-settings.js';

const { deps, cleanup } = factoryHomes('nanoclaw-wa-');
afterEach(cleanup);

describe('whatsapp settings and factory', () => {
  it('no account: no channel', () => {
    expect(createChannel(deps({}))).toBeNull();
  });

  it('reads the .env; the number may be written with + and spaces; QR by default', () => {
    expect(parseSettings({ WHATSAPP_ACCOUNT: '+49 151 1234-5678' }, '/data')).toEqual({
      kind: 'ok',
      settings: { account: '4915112345678', linkMethod: 'qr', authDir: '/data/whatsapp/auth' },
    });
    const channel = createChannel(
      deps({}, 'WHATSAPP_ACCOUNT=4915112345678\nWHATSAPP_LINK_METHOD=code\n'),
    );
    expect(channel?.name).toBe('whatsapp');
    expect(channel?.ownsChat('whatsapp:4915112345678@s.whatsapp.net')).toBe(true);
    expect(channel?.ownsChat('wacloud:4915112345678')).toBe(false);
  });

  it('an invalid setting: a failed channel with the fix', async () => {
    const channel = createChannel(deps({ WHATSAPP_ACCOUNT: '0123', WHATSAPP_LINK_METHOD: 'sms' }));
    await channel?.start();
    expect(channel?.health?.()).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('WHATSAPP_ACCOUNT must be your WhatsApp number'),
      fix: expect.stringContaining('nanoclaw skills add whatsapp --set'),
    });
    expect(JSON.stringify(channel?.health?.())).toContain(
      'WHATSAPP_LINK_METHOD must be qr or code',
    );
  });

  it('key file names cannot leave the auth directory', () => {
    expect(keyFile('session', '4915:7@s.whatsapp.net')).toBe(
      'session-4915%3a7%40s.whatsapp.net.json',
    );
    expect(keyFile('pre-key', '../../etc/passwd')).not.toContain('/');
  });
});
