/**
 * The channel factory and its settings: no EMAIL_ADDRESS → no channel; values from the
 * environment or the .env the skill system writes; password or OAuth2, never half of OAuth2; an
 * invalid setting → a channel that stays failed with the fix, its message never quoting a secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createChannel } from '../../../src/channels/email/index.js';
import {
  parseSettings,
  redact,
  sendsPasswordInClear,
} from '../../../src/channels/email/settings.js';
import { factoryHomes } from '../../support/channel-settings.js';

const BASE = {
  EMAIL_ADDRESS: 'Agent@Example.com',
  IMAP_HOST: 'imap.example.com',
  SMTP_HOST: 'smtp.example.com',
  IMAP_PASSWORD: 'app-password-Xy7',
  EMAIL_ALLOWED_SENDERS: 'you@example.com, @family.org',
};

const { deps, cleanup } = factoryHomes('nanoclaw-email-set-');
afterEach(cleanup);

describe('email settings and factory', () => {
  it('defaults: TLS ports, logins = the address, one password for both', () => {
    const result = parseSettings(BASE);
    expect(result.kind).toBe('ok');
    if (result.kind !== 'ok') return;
    expect(result.settings.address).toBe('agent@example.com');
    expect(result.settings.imap).toEqual({
      host: 'imap.example.com',
      port: 993,
      tls: 'true',
      user: 'agent@example.com',
    });
    expect(result.settings.smtp).toEqual({
      host: 'smtp.example.com',
      port: 465,
      tls: 'true',
      user: 'agent@example.com',
    });
    expect(result.settings.auth).toEqual({
      kind: 'password',
      imapPassword: 'app-password-Xy7',
      smtpPassword: 'app-password-Xy7',
    });
    expect(result.settings.allowedSenders).toEqual([
      { address: 'you@example.com' },
      { domain: 'family.org' },
    ]);
    expect(result.settings.trustedAuthserv).toBeUndefined();
  });

  it('OAuth2 instead of a password, all three values or a clear problem', () => {
    const oauth = {
      EMAIL_OAUTH_CLIENT_ID: 'id',
      EMAIL_OAUTH_CLIENT_SECRET: 'sec',
      EMAIL_OAUTH_REFRESH_TOKEN: 'rt',
    };
    const ok = parseSettings({ ...BASE, IMAP_PASSWORD: '', ...oauth });
    expect(ok).toMatchObject({
      kind: 'ok',
      settings: { auth: { kind: 'oauth2', tokenUrl: 'https://oauth2.googleapis.com/token' } },
    });
    const half = parseSettings({ ...BASE, EMAIL_OAUTH_CLIENT_ID: 'id' });
    expect(half).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/OAuth2 needs all of/),
    });
  });

  it('refuses bad values with a message naming the setting, never the secret', () => {
    for (const [bad, pattern] of [
      [{ IMAP_PORT: 'x' }, /IMAP_PORT must be a port/],
      [{ SMTP_TLS: 'yes' }, /SMTP_TLS must be true, starttls or false/],
      [{ EMAIL_ALLOWED_SENDERS: '' }, /EMAIL_ALLOWED_SENDERS is empty/],
      [{ EMAIL_ALLOWED_SENDERS: 'nobody' }, /"nobody" is neither/],
      [{ IMAP_PASSWORD: '' }, /IMAP_PASSWORD is missing/],
      [{ EMAIL_ADDRESS: 'not-an-address' }, /EMAIL_ADDRESS must be an email address/],
    ] as const) {
      const result = parseSettings({ ...BASE, ...bad });
      expect(result).toMatchObject({ kind: 'invalid', problem: expect.stringMatching(pattern) });
      expect(JSON.stringify(result)).not.toContain(BASE.IMAP_PASSWORD);
    }
  });

  it('no EMAIL_ADDRESS: no channel; from the .env file: a channel; invalid: failed with the fix', async () => {
    expect(createChannel(deps({}))).toBeNull();
    const dotenv = Object.entries(BASE)
      .map(([k, v]) => `${k}='${v}'`)
      .join('\n');
    const fromFile = createChannel(deps({}, `${dotenv}\n`));
    expect(fromFile?.name).toBe('email');
    expect(fromFile?.ownsChat('email:you@example.com')).toBe(true);
    expect(fromFile?.ownsChat('telegram:1')).toBe(false);
    await fromFile?.stop();
    const broken = createChannel(deps({ ...BASE, IMAP_TLS: 'maybe' }));
    await broken?.start();
    expect(broken?.health?.()).toMatchObject({
      state: 'failed',
      fix: expect.stringMatching(/skills add email --set/),
    });
    await expect(
      broken?.send({ chatId: 'email:a@b.io', messageId: 'm', text: 't' }),
    ).rejects.toThrow(/not configured/);
  });

  it('warns about a login in clear text only for another machine; redacts secrets', () => {
    expect(sendsPasswordInClear({ host: '127.0.0.1', port: 143, tls: 'false', user: 'u' })).toBe(
      false,
    );
    expect(
      sendsPasswordInClear({ host: 'mail.example.com', port: 143, tls: 'false', user: 'u' }),
    ).toBe(true);
    expect(
      sendsPasswordInClear({ host: 'mail.example.com', port: 143, tls: 'starttls', user: 'u' }),
    ).toBe(false);
    expect(redact('login pw-1 failed pw-1', ['pw-1'])).toBe('login <secret> failed <secret>');
  });
});
