/**
 * The gateway's life through the real discord.js against the fake Gateway: a dropped
 * connection is RESUMEd and the missed messages are replayed, op 7 RECONNECT resumes, op 9
 * INVALID_SESSION makes it IDENTIFY afresh, a gateway that stays away is retried with backoff
 * (health `reconnecting`, then `connected`), and a refused token (4004/401) or a missing
 * Message Content intent (4014) end in `failed` with the fix. The token is never logged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from './support/fake-discord.js';
import { connected, startChannel, until, type Harness } from './support/harness.js';

describe('discord gateway (real discord.js, fake Gateway)', () => {
  let fake: FakeDiscord;
  let h: Harness;

  const start = async () => {
    fake = await startFakeDiscord({ heartbeatMs: 200 });
    h = startChannel(fake);
    await connected(h);
  };

  afterEach(async () => {
    await h.channel.stop();
    await fake.close();
    expect(h.logs.join('')).not.toContain(fake.token);
  });

  it('a dropped connection is resumed and messages sent meanwhile are replayed, once each', async () => {
    await start();
    fake.guildMessage('before');
    await until(() => h.received.length === 1);
    fake.gateway.drop();
    fake.guildMessage('while away'); // kept in the session, replayed on RESUME
    await until(() => fake.gateway.state.resumes === 1);
    fake.guildMessage('after');
    await until(() => h.received.length === 3);
    expect(h.received.map((m) => m.text)).toEqual(['before', 'while away', 'after']);
    expect(fake.gateway.state.identifies).toBe(1);
    expect(h.health.map((x) => x.state)).toEqual(['connected', 'reconnecting', 'connected']);
  });

  it('op 7 RECONNECT: it reconnects and resumes the same session', async () => {
    await start();
    fake.gateway.reconnect();
    await until(() => fake.gateway.state.resumes === 1);
    await connected(h, 2);
    fake.guildMessage('still here');
    await until(() => h.received[0]);
    expect(fake.gateway.state.identifies).toBe(1);
  });

  it('op 9 INVALID_SESSION (not resumable): it identifies afresh and goes on', async () => {
    await start();
    fake.gateway.invalidSession(false);
    await until(() => fake.gateway.state.identifies === 2);
    await connected(h, 2);
    fake.dmMessage('new session');
    await until(() => h.received[0]);
    expect(h.received[0]?.text).toBe('new session');
  });

  it('a gateway that stays away: reconnecting with backoff (and why), then connected again', async () => {
    await start();
    await fake.pause();
    // The library's own resume fails; the supervisor logs in again with backoff.
    const away = await until(() => {
      const now = h.channel.health();
      return now.state === 'reconnecting' && /cannot reach the Discord API/.test(now.reason) && now;
    }, 15_000);
    expect(away.retryInMs).toBeGreaterThanOrEqual(50);
    // Let a few backoff rounds pass, then come back.
    const connectionsBefore = fake.gateway.state.connections;
    await new Promise((r) => setTimeout(r, 800));
    await fake.resume();
    await connected(h, 2);
    // After the supervisor took over, it logs in afresh (GET /gateway/bot, IDENTIFY).
    expect(fake.gateway.state.identifies).toBe(2);
    expect(fake.gateway.state.connections).toBeGreaterThan(connectionsBefore);
    fake.guildMessage('back again');
    await until(() => h.received.find((m) => m.text === 'back again'));
  });

  it('after a fresh session (no resume), what registered chats got meanwhile is fetched once, in order', async () => {
    await start();
    fake.guildMessage('seen live');
    const live = await until(() => h.received[0]);
    await h.channel.send({ chatId: live.chatId, messageId: 'r1', text: 'my answer' });
    await h.channel.stop(); // NanoClaw is down; Discord keeps talking
    fake.guildMessage('missed one');
    fake.guildMessage('missed two');
    const backlog = {
      chats: () => [{ chatId: live.chatId, kind: 'group' as const }],
      lastInbound: () => live.id,
    };
    h = startChannel(fake, { backlog });
    await until(() => h.received.length === 2);
    await connected(h);
    fake.guildMessage('live again');
    await until(() => h.received.length === 3);
    // The bot's own answer (in the history and echoed on the gateway) is not taken as input.
    expect(h.received.map((m) => [m.text, m.chatKind, m.chatName])).toEqual([
      ['missed one', 'group', '#general (Family)'],
      ['missed two', 'group', '#general (Family)'],
      ['live again', 'group', '#general (Family)'],
    ]);
    const fetches = fake.calls.filter((c) => c.method === 'GET' && c.path.endsWith('/messages'));
    expect(fetches).toHaveLength(1);
    expect(fake.gateway.state.identifies).toBe(2);
  });

  it('a refused token: failed, with how to get a new one', async () => {
    fake = await startFakeDiscord();
    h = startChannel(fake, {
      token: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.WrOnG1.wrong-token-wrong-token-wrong',
    });
    const failed = await until(() => h.health.find((x) => x.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringMatching(/refused the bot token/) });
    expect(failed.state === 'failed' && failed.fix).toMatch(/Reset Token.*DISCORD_BOT_TOKEN/);
    expect(h.logs.join('')).not.toContain('wrong-token-wrong-token');
  });

  it('the gateway closing with 4004 (token revoked while connected): failed', async () => {
    fake = await startFakeDiscord();
    h = startChannel(fake);
    await connected(h);
    fake.gateway.socket?.close(4004, 'Authentication failed.');
    const failed = await until(() => h.health.find((x) => x.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringMatching(/4004/) });
  });

  it('the Message Content intent not enabled (close 4014): failed, with where to turn it on', async () => {
    fake = await startFakeDiscord();
    fake.gateway.messageContentAllowed = false;
    h = startChannel(fake);
    const failed = await until(() => h.health.find((x) => x.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringMatching(/intent/) });
    expect(failed.state === 'failed' && failed.fix).toMatch(/MESSAGE CONTENT INTENT/);
    expect(fake.gateway.state.closes).toContain(4014);
  });
});
