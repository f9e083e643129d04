/**
 * The channel factory: no token → no channel; settings from the environment or the .env the
 * skill system writes; an invalid setting → a channel that stays failed with the fix (the host
 * keeps running), its message never quoting the value.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../../src/channels/telegram/index.js';
import {
  parseSettings,
  redact,
  sendsTokenInClear,
} from '../../../src/channels/telegram/settings.js';
import { factoryHomes } from '../../support/channel-settings.js';

const TOKEN = '123456789:AAExampleExampleExampleExample_-12';

const { deps, cleanup } = factoryHomes('nanoclaw-tg-');
afterEach(cleanup);

describe('telegram settings and factory', () => {
  it('returns no channel without a token', () => {
    expect(createChannel(deps({}))).toBeNull();
  });

  it('reads the token from the .env file; the environment wins', () => {
    const fromFile = createChannel(deps({}, `TELEGRAM_BOT_TOKEN=${TOKEN}\n`));
    expect(fromFile?.name).toBe('telegram');
    expect(fromFile?.health?.()).toEqual({ state: 'connecting' });
    const bad = createChannel(
      deps({ TELEGRAM_BOT_TOKEN: 'nope' }, `TELEGRAM_BOT_TOKEN=${TOKEN}\n`),
    );
    expect(bad?.health?.()).toMatchObject({ state: 'failed' });
  });

  it('an invalid setting gives a failed channel with the fix, never quoting the value', async () => {
    const channel = createChannel(deps({ TELEGRAM_BOT_TOKEN: 'secret-but-wrong' }));
    await expect(channel?.start()).resolves.toBeUndefined();
    const health = channel?.health?.();
    expect(health).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('TELEGRAM_BOT_TOKEN'),
    });
    expect(JSON.stringify(health)).not.toContain('secret-but-wrong');
    await expect(
      channel?.send({ chatId: 'telegram:1', messageId: 'x', text: 'hi' }),
    ).rejects.toThrow(/not configured/);
  });

  it('the API root defaults to the public Bot API and loses a trailing slash', () => {
    expect(parseSettings({ TELEGRAM_BOT_TOKEN: TOKEN })).toEqual({
      kind: 'ok',
      settings: { token: TOKEN, apiRoot: 'https://api.telegram.org' },
    });
    const custom = parseSettings({
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
    });
    expect(custom).toMatchObject({ settings: { apiRoot: 'http://127.0.0.1:8081' } });
    expect(
      parseSettings({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'ftp://x' }),
    ).toMatchObject({
      kind: 'invalid',
    });
  });

  it('knows when the token would cross a network in clear text', () => {
    expect(sendsTokenInClear('http://127.0.0.1:8081')).toBe(false);
    expect(sendsTokenInClear('https://bot-api.example.com')).toBe(false);
    expect(sendsTokenInClear('http://bot-api.example.com')).toBe(true);
  });

  it('redacts the token from any text', () => {
    expect(redact(`GET /bot${TOKEN}/getMe failed`, TOKEN)).toBe('GET /bot<token>/getMe failed');
  });
});
