/**
 * The settings as the skill system writes them (environment, then `.env`), and the pure
 * decisions about failures: which close codes and login errors are fatal (with the fix).
 * Texts never carry the token. (The backoff is the core's: src/channels/retry.test.ts.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HealthReporter,
  classifyClose,
  classifyLoginError,
} from '../../../src/channels/discord/health.js';
import {
  parseSettings,
  readSettings,
  sendsTokenInClear,
} from '../../../src/channels/discord/settings.js';

const TOKEN = 'MTAwMDAwMDAwMDAwMDAwMDAx.GfAkE1.abcdefghijklmnopqrstuvwxyz0123456789';

describe('discord settings', () => {
  it('absent without a token; the API URL defaults to discord.com/api without a trailing slash', () => {
    expect(parseSettings({})).toEqual({ kind: 'absent' });
    expect(parseSettings({ DISCORD_BOT_TOKEN: TOKEN })).toEqual({
      kind: 'ok',
      settings: { token: TOKEN, apiUrl: 'https://discord.com/api' },
    });
    expect(
      parseSettings({
        DISCORD_BOT_TOKEN: `Bot ${TOKEN}`,
        DISCORD_API_URL: 'http://127.0.0.1:9/api/',
      }),
    ).toEqual({
      kind: 'ok',
      settings: { token: TOKEN, apiUrl: 'http://127.0.0.1:9/api' },
    });
  });

  it('a malformed token or URL is invalid, and the problem does not quote the token', () => {
    const bad = parseSettings({ DISCORD_BOT_TOKEN: 'not-a-token-secret' });
    expect(bad).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(/Reset Token/) });
    expect(JSON.stringify(bad)).not.toContain('not-a-token-secret');
    expect(parseSettings({ DISCORD_BOT_TOKEN: TOKEN, DISCORD_API_URL: 'ftp://x' })).toMatchObject({
      kind: 'invalid',
    });
  });

  it('the environment wins over the .env file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-dc-settings-'));
    const file = path.join(dir, '.env');
    fs.writeFileSync(
      file,
      `DISCORD_BOT_TOKEN=${TOKEN}\nDISCORD_API_URL=https://file.example/api\n`,
    );
    const r = readSettings({ DISCORD_API_URL: 'https://env.example/api' }, file);
    expect(r).toEqual({
      kind: 'ok',
      settings: { token: TOKEN, apiUrl: 'https://env.example/api' },
    });
    fs.rmSync(dir, { recursive: true });
  });

  it('warns only for plain http to another machine', () => {
    expect(sendsTokenInClear('http://10.0.0.2/api')).toBe(true);
    expect(sendsTokenInClear('http://127.0.0.1:1/api')).toBe(false);
    expect(sendsTokenInClear('https://discord.com/api')).toBe(false);
  });
});

describe('discord failures', () => {
  it('4004 and 4014 are fatal with the fix; other closes are retried', () => {
    expect(classifyClose(4004)).toMatchObject({
      kind: 'failed',
      fix: expect.stringMatching(/Reset Token/),
    });
    expect(classifyClose(4014)).toMatchObject({
      kind: 'failed',
      fix: expect.stringMatching(/MESSAGE CONTENT INTENT/),
    });
    expect(classifyClose(4000).kind).toBe('retry');
    expect(classifyClose(1006).kind).toBe('retry');
  });

  it('login errors: 401 fatal, network errors retried with the reason, the token redacted', () => {
    expect(classifyLoginError({ status: 401 }, 'u', TOKEN).kind).toBe('failed');
    expect(
      classifyLoginError(
        Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
        'http://h/api',
        TOKEN,
      ),
    ).toEqual({
      kind: 'retry',
      reason: 'cannot reach the Discord API at http://h/api (ECONNREFUSED)',
    });
    expect(classifyLoginError({ status: 502 }, 'u', TOKEN)).toEqual({
      kind: 'retry',
      reason: 'the Discord API answered 502',
    });
    const leaked = classifyLoginError(new Error(`bad ${TOKEN}`), 'u', TOKEN);
    expect(JSON.stringify(leaked)).not.toContain(TOKEN);
  });

  it('health: a new state or a new reason is reported, a new retry delay alone is not', () => {
    const seen: string[] = [];
    const r = new HealthReporter((h) => seen.push(h.state === 'reconnecting' ? h.reason : h.state));
    r.set({ state: 'connected' });
    r.set({ state: 'reconnecting', reason: 'dropped', retryInMs: 500 });
    r.set({ state: 'reconnecting', reason: 'dropped', retryInMs: 1000 });
    r.set({ state: 'reconnecting', reason: 'cannot reach', retryInMs: 2000 });
    r.set({ state: 'connected' });
    expect(seen).toEqual(['connected', 'dropped', 'cannot reach', 'connected']);
    expect(r.get()).toEqual({ state: 'connected' });
  });
});
