/**
 * The channel factory: no bot token → no channel; settings from the environment or the .env the
 * skill system writes; an invalid or missing setting → a channel that stays failed with the fix
 * (the host keeps running), its message never quoting a token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../../src/channels/slack/index.js';
import { parseSettings, redact, sendsTokenInClear } from '../../../src/channels/slack/settings.js';
import { factoryHomes } from '../../support/channel-settings.js';

const BOT = 'xoxb-1234567890-1234567890123-ExampleExample';
const APP = 'xapp-1-A0123456789-1234567890123-example';

const { deps, cleanup } = factoryHomes('nanoclaw-slack-');
afterEach(cleanup);

describe('slack settings and factory', () => {
  it('returns no channel without a bot token', () => {
    expect(createChannel(deps({}))).toBeNull();
  });

  it('reads the tokens from the .env file; the environment wins', () => {
    const fromFile = createChannel(deps({}, `SLACK_BOT_TOKEN=${BOT}\nSLACK_APP_TOKEN=${APP}\n`));
    expect(fromFile?.name).toBe('slack');
    expect(fromFile?.health?.()).toEqual({ state: 'connecting' });
    const bad = createChannel(
      deps({ SLACK_APP_TOKEN: 'nope' }, `SLACK_BOT_TOKEN=${BOT}\nSLACK_APP_TOKEN=${APP}\n`),
    );
    expect(bad?.health?.()).toMatchObject({ state: 'failed' });
  });

  it('a missing app token or a wrong value gives a failed channel with the fix, never quoting it', async () => {
    const missing = createChannel(deps({ SLACK_BOT_TOKEN: BOT }));
    await expect(missing?.start()).resolves.toBeUndefined();
    expect(missing?.health?.()).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('SLACK_APP_TOKEN is missing'),
      fix: expect.stringContaining('nanoclaw skills add slack --set'),
    });
    const wrong = createChannel(
      deps({ SLACK_BOT_TOKEN: 'xoxp-secret-user-token', SLACK_APP_TOKEN: APP }),
    );
    const health = wrong?.health?.();
    expect(health).toMatchObject({ state: 'failed', reason: expect.stringContaining('xoxb-') });
    expect(JSON.stringify(health)).not.toContain('xoxp-secret-user-token');
    await expect(wrong?.send({ chatId: 'slack:C1', messageId: 'm', text: 'x' })).rejects.toThrow(
      /not configured/,
    );
  });

  it('the API URL defaults to Slack’s and always ends in a slash', () => {
    const ok = (v: Record<string, string>) => {
      const r = parseSettings({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, ...v });
      if (r.kind !== 'ok') throw new Error(JSON.stringify(r));
      return r.settings.apiUrl;
    };
    expect(ok({})).toBe('https://slack.com/api/');
    expect(ok({ SLACK_API_URL: 'http://127.0.0.1:9999/api' })).toBe('http://127.0.0.1:9999/api/');
    expect(
      parseSettings({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: APP, SLACK_API_URL: 'ftp://x' }),
    ).toMatchObject({
      kind: 'invalid',
      problem: 'SLACK_API_URL must be an http(s) URL',
    });
  });

  it('plain http off this machine is flagged; tokens are redacted', () => {
    expect(sendsTokenInClear('http://slack.internal/api/')).toBe(true);
    expect(sendsTokenInClear('http://127.0.0.1:1/api/')).toBe(false);
    expect(sendsTokenInClear('https://slack.com/api/')).toBe(false);
    expect(redact(`a ${BOT} b ${APP}`, { botToken: BOT, appToken: APP })).toBe(
      'a <token> b <token>',
    );
  });
});
