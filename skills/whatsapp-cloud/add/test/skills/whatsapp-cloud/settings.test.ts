/**
 * The channel factory: no token → no channel; settings from the environment or the .env the
 * skill system writes; an invalid setting → a channel that stays failed with the fix (the host
 * keeps running), its message never quoting a secret. Also the manifest's patterns agree with
 * the adapter's own checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelHealth } from '../../../src/channels/channel.js';
import { createChannel } from '../../../src/channels/wacloud/index.js';
import {
  parseSettings,
  redact,
  sendsTokenInClear,
} from '../../../src/channels/wacloud/settings.js';
import { factoryHomes } from '../../support/channel-settings.js';
import { APP_ROOT } from '../../support/cli.js';

const VALID = {
  WHATSAPP_TOKEN: 'EAAGexampleexampleexampleexample0123',
  WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
  WHATSAPP_APP_SECRET: '0123456789abcdef0123456789abcdef',
  WHATSAPP_VERIFY_TOKEN: '3f9a1c0e7b2d4a6f8e0c1b3d5f7a9c2e',
};

const { deps, cleanup } = factoryHomes('nanoclaw-wac-');
afterEach(cleanup);

describe('whatsapp-cloud settings and factory', () => {
  it('no token: no channel', () => {
    expect(createChannel(deps({}))).toBeNull();
  });

  it('defaults: the real Graph API, the webhook on loopback port 8443', () => {
    const result = parseSettings(VALID);
    expect(result).toMatchObject({
      kind: 'ok',
      settings: {
        graphUrl: 'https://graph.facebook.com',
        webhookHost: '127.0.0.1',
        webhookPort: 8443,
      },
    });
  });

  it('reads the .env the skill system writes; the environment wins', () => {
    const dotenv = Object.entries(VALID)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n');
    const channel = createChannel(deps({ WHATSAPP_WEBHOOK_PORT: '0' }, dotenv));
    expect(channel?.name).toBe('wacloud');
    expect(channel?.ownsChat('wacloud:15551234567')).toBe(true);
    expect(channel?.ownsChat('whatsapp:15551234567@s.whatsapp.net')).toBe(false);
  });

  it('an invalid setting: a failed channel with the fix, never quoting the secret', async () => {
    const health: ChannelHealth[] = [];
    const channel = createChannel(
      deps({ ...VALID, WHATSAPP_APP_SECRET: 'short!secret' }, '', health),
    );
    await channel?.start();
    expect(channel?.health?.()).toMatchObject({
      state: 'failed',
      reason: 'WHATSAPP_APP_SECRET does not look like an app secret',
      fix: expect.stringContaining('nanoclaw skills add whatsapp-cloud --set'),
    });
    expect(health).toHaveLength(1);
    expect(JSON.stringify(health)).not.toContain('short!secret');
  });

  it.each([
    ['WHATSAPP_PHONE_NUMBER_ID', '+1 555 0001'],
    ['WHATSAPP_VERIFY_TOKEN', 'short'],
    ['WHATSAPP_GRAPH_URL', 'ftp://graph'],
    ['WHATSAPP_WEBHOOK_HOST', 'example.com'],
    ['WHATSAPP_WEBHOOK_PORT', '70000'],
  ])('refuses %s=%s', (name, value) => {
    expect(parseSettings({ ...VALID, [name]: value }).kind).toBe('invalid');
  });

  it('the manifest patterns accept the examples and the adapter accepts them too', () => {
    const manifest = JSON.parse(
      fs.readFileSync(path.join(APP_ROOT, 'skills', 'whatsapp-cloud', 'manifest.json'), 'utf8'),
    ) as { settings: { name: string; pattern: string; example?: string; default?: string }[] };
    const values: Record<string, string> = {};
    for (const s of manifest.settings) {
      const value = s.example ?? s.default ?? '';
      expect(new RegExp(`^(?:${s.pattern})$`).test(value), s.name).toBe(true);
      values[s.name] = value;
    }
    expect(parseSettings(values).kind).toBe('ok');
  });

  it('warns about plain http elsewhere; redacts every secret', () => {
    expect(sendsTokenInClear('http://127.0.0.1:9')).toBe(false);
    expect(sendsTokenInClear('http://graph.example')).toBe(true);
    expect(sendsTokenInClear('https://graph.facebook.com')).toBe(false);
    expect(redact('a tok b sec', { token: 'tok', appSecret: 'sec' })).toBe('a <secret> b <secret>');
  });
});
