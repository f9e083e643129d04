/**
 * OAuth2 (XOAUTH2) on the host: access tokens come from the refresh token at a local fake token
 * endpoint (the form Google's takes), are cached until shortly before they expire and refreshed
 * after; a revoked refresh token is a permanent failure; the real adapter sends through a local
 * SMTP server that accepts only the current access token, and logs in to a real dovecot with
 * XOAUTH2 (dovecot asks the fake's introspection endpoint about each token).
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSource, OAuthError } from '../../../src/channels/email/oauth.js';
import { startDovecot, dovecotUnavailable, type Dovecot } from './support/dovecot.js';
import type { InboundMessage } from '../../../src/channels/channel.js';
import { EmailChannel } from '../../../src/channels/email/channel.js';
import { silentLogger } from '../../../src/log.js';
import { ANN, AGENT, FAST, USERS, cursorOf, settingsFrom, until } from './support/harness.js';
import { startSmtp, type SmtpServer } from './support/smtp.js';
import { Mailer } from '../../../src/channels/email/smtp.js';
import { EmailState } from '../../../src/channels/email/state.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface FakeTokenEndpoint {
  url: string;
  requests: URLSearchParams[];
  /** The next answers: an access token (with its lifetime) or an error status. */
  answer: { token?: string; expiresIn?: number; status?: number; error?: string };
  /** The access token `/introspect` calls active (dovecot asks it about each XOAUTH2 login). */
  live: string;
  introspected: string[];
  close(): Promise<void>;
}

async function startTokenEndpoint(): Promise<FakeTokenEndpoint> {
  const endpoint: Omit<FakeTokenEndpoint, 'url' | 'close'> = {
    requests: [],
    answer: { token: 'at-1', expiresIn: 3600 },
    live: 'at-live',
    introspected: [],
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/introspect') {
        const token = new URLSearchParams(body).get('token') ?? '';
        endpoint.introspected.push(token);
        res.end(
          JSON.stringify(
            token === endpoint.live ? { active: true, username: 'agent' } : { active: false },
          ),
        );
        return;
      }
      endpoint.requests.push(new URLSearchParams(body));
      const a = endpoint.answer;
      if (a.status) {
        res.statusCode = a.status;
        res.end(JSON.stringify({ error: a.error ?? 'invalid_grant' }));
        return;
      }
      res.end(
        JSON.stringify({ access_token: a.token, expires_in: a.expiresIn, token_type: 'Bearer' }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}/token`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

const CLIENT = {
  clientId: 'cid.apps.example',
  clientSecret: 'csecret-Zk2',
  refreshToken: '1//refresh-Qq9',
};

describe('OAuth2 access tokens (fake token endpoint)', () => {
  let endpoint: FakeTokenEndpoint;
  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
  });
  afterAll(async () => {
    await endpoint.close();
  });

  it('refreshes with the refresh token, caches, and refreshes again near expiry', async () => {
    endpoint.requests.length = 0;
    endpoint.answer = { token: 'at-1', expiresIn: 3600 };
    let now = 1_000_000;
    const tokens = new TokenSource({ ...CLIENT, tokenUrl: endpoint.url }, () => now);
    const signal = AbortSignal.timeout(5000);
    expect(await tokens.get(signal)).toBe('at-1');
    expect(await tokens.get(signal)).toBe('at-1');
    expect(endpoint.requests).toHaveLength(1);
    expect(Object.fromEntries(endpoint.requests[0] ?? [])).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: CLIENT.refreshToken,
    });
    endpoint.answer = { token: 'at-2', expiresIn: 3600 };
    now += 3600_000 - 30_000; // inside the last minute: refreshed before it dies
    expect(await tokens.get(signal)).toBe('at-2');
    tokens.invalidate();
    endpoint.answer = { token: 'at-3', expiresIn: 3600 };
    expect(await tokens.get(signal)).toBe('at-3');
    expect(endpoint.requests).toHaveLength(3);
  });

  it('a revoked refresh token is permanent; an unreachable endpoint is not', async () => {
    endpoint.answer = { status: 400, error: 'invalid_grant' };
    const tokens = new TokenSource({ ...CLIENT, tokenUrl: endpoint.url });
    const refused = await tokens.get(AbortSignal.timeout(5000)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OAuthError);
    expect(refused).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/invalid_grant/),
    });
    expect(String(refused)).not.toContain(CLIENT.refreshToken);
    const away = new TokenSource({ ...CLIENT, tokenUrl: 'http://127.0.0.1:1/token' });
    await expect(away.get(AbortSignal.timeout(5000))).rejects.toMatchObject({ permanent: false });
  });
});

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email XOAUTH2 SMTP test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('XOAUTH2 SMTP (real adapter, smtp-server)', () => {
  let endpoint: FakeTokenEndpoint;
  let dovecot: Dovecot;
  let smtp: SmtpServer;
  beforeAll(async () => {
    endpoint = await startTokenEndpoint();
    dovecot = await startDovecot(USERS);
    smtp = await startSmtp(dovecot, USERS, new Map([[AGENT, 'at-live']]));
  });
  afterAll(async () => {
    await smtp.close();
    await dovecot.close();
    await endpoint.close();
  });

  it('sends with the refreshed access token; a refused token is refreshed on the next try', async () => {
    const settings = settingsFrom({
      EMAIL_ADDRESS: AGENT,
      IMAP_HOST: dovecot.host,
      IMAP_PORT: String(dovecot.port),
      IMAP_TLS: 'false',
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      EMAIL_OAUTH_CLIENT_ID: CLIENT.clientId,
      EMAIL_OAUTH_CLIENT_SECRET: CLIENT.clientSecret,
      EMAIL_OAUTH_REFRESH_TOKEN: CLIENT.refreshToken,
      EMAIL_OAUTH_TOKEN_URL: endpoint.url,
      EMAIL_ALLOWED_SENDERS: ANN,
    });
    if (settings.auth.kind !== 'oauth2') throw new Error('expected OAuth2 settings');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-email-oauth-'));
    const state = new EmailState(path.join(dir, 'email.db'));
    const tokens = new TokenSource(settings.auth);
    const mailer = new Mailer({
      settings,
      state,
      tokens,
      assistantName: 'Andy',
      now: Date.now,
      timeoutMs: 5000,
    });
    endpoint.answer = { token: 'at-stale', expiresIn: 3600 };
    const message = { chatId: `email:${ANN}`, messageId: 'o-1', text: 'via oauth' };
    await expect(mailer.send(message, AbortSignal.timeout(10_000))).rejects.toMatchObject({
      auth: true,
    });
    endpoint.answer = { token: 'at-live', expiresIn: 3600 };
    await mailer.send(message, AbortSignal.timeout(10_000));
    const sent = await smtp.waitFor((m) => m.user === AGENT);
    expect(sent.to).toEqual([ANN]);
    expect(endpoint.requests).toHaveLength(2);
    state.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe.skipIf(unavailable !== undefined)(
  'XOAUTH2 IMAP (real adapter, dovecot with token introspection)',
  () => {
    let endpoint: FakeTokenEndpoint;
    let dovecot: Dovecot;
    beforeAll(async () => {
      endpoint = await startTokenEndpoint();
      dovecot = await startDovecot(USERS, {
        introspectionUrl: endpoint.url.replace('/token', '/introspect'),
      });
    });
    afterAll(async () => {
      await dovecot.close();
      await endpoint.close();
    });

    it('a refused access token is refreshed once; the fresh one logs in and mail arrives', async () => {
      const settings = settingsFrom({
        EMAIL_ADDRESS: AGENT,
        IMAP_HOST: dovecot.host,
        IMAP_PORT: String(dovecot.port),
        IMAP_TLS: 'false',
        IMAP_USER: 'agent',
        SMTP_HOST: '127.0.0.1',
        SMTP_TLS: 'false',
        EMAIL_OAUTH_CLIENT_ID: CLIENT.clientId,
        EMAIL_OAUTH_CLIENT_SECRET: CLIENT.clientSecret,
        EMAIL_OAUTH_REFRESH_TOKEN: CLIENT.refreshToken,
        EMAIL_OAUTH_TOKEN_URL: endpoint.url,
        EMAIL_ALLOWED_SENDERS: ANN,
      });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-email-oauth-'));
      const stateFile = path.join(dir, 'email.db');
      const received: InboundMessage[] = [];
      // The first token the endpoint hands out is already revoked at the server.
      endpoint.answer = { token: 'at-revoked', expiresIn: 3600 };
      let answered = 0;
      const channel = new EmailChannel(
        settings,
        {
          log: silentLogger(),
          state: new EmailState(stateFile),
          assistantName: 'Andy',
          receive: async (_c, m) => void received.push(m),
        },
        { ...FAST, timing: { ...FAST.timing, backoff: { baseMs: 20, maxMs: 100 } } },
      );
      const realGet = endpoint.answer;
      void realGet;
      void channel.start();
      await until(() => {
        if (endpoint.introspected.includes('at-revoked') && answered === 0) {
          answered = 1;
          endpoint.answer = { token: 'at-live', expiresIn: 3600 };
        }
        return channel.health().state === 'connected';
      }, 20_000);
      expect(endpoint.introspected.slice(0, 1)).toEqual(['at-revoked']);
      expect(endpoint.introspected).toContain('at-live');
      await until(() => cursorOf(stateFile), 5000); // first start: mail from now on
      dovecot.deliver(
        'agent',
        `From: ${ANN}\r\nTo: ${AGENT}\r\nSubject: via xoauth2\r\nMessage-ID: <x1@example.test>\r\n\r\nhi\r\n`,
      );
      const m = await until(() => received[0], 10_000);
      expect(m.text).toBe('Subject: via xoauth2\n\nhi');
      await channel.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    });
  },
);
