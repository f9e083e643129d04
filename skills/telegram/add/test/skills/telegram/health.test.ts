/**
 * Telegram connection health against the fake Bot API: a refused token fails with the fix, a
 * second poller (409) and a server that goes away are retried with backoff until connected
 * again, each change reported once, the token in no log line or reason. start() never throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from './support/fake-telegram.js';
import { DM_CHAT, messageUpdate, startChannel, until, type Harness } from './support/harness.js';

const CONFLICT = {
  code: 409,
  description:
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
};

describe('telegram health (real grammY, fake Bot API)', () => {
  let fake: FakeTelegram | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.channel.stop();
    await fake?.close();
    h = undefined;
  });

  it('a refused token (401) is failed, says how to fix it, and stops polling', async () => {
    fake = await startFakeTelegram();
    const wrong = '999999:WRONG-token_abcdefghijklmnopqrstuvwxyz';
    h = startChannel(fake, { token: wrong });
    const failed = await until(() => h?.health.find((x) => x.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringContaining('401') });
    if (failed.state !== 'failed') throw new Error('unreachable');
    expect(failed.fix).toContain('@BotFather');
    expect(failed.fix).toContain('nanoclaw skills add telegram --set TELEGRAM_BOT_TOKEN=');
    expect(h.health).toHaveLength(1);
    const calls = fake.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.length).toBe(calls);
    expect(h.logs.join('')).not.toContain(wrong);
  });

  it('another instance polling (409) → reconnecting, saying so → connected again', async () => {
    fake = await startFakeTelegram();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    fake.fail('getUpdates', CONFLICT, 2);
    const reconnecting = await until(() => h?.health.find((x) => x.state === 'reconnecting'));
    expect(reconnecting).toMatchObject({ reason: expect.stringContaining('another instance') });
    // Connected only after a whole long poll without conflict; a message then flows again.
    fake.push(messageUpdate(DM_CHAT, { text: 'after the conflict' }));
    await until(() => h?.received.length === 1);
    await until(() => h?.channel.health().state === 'connected');
    // Two 409s in a row are one change of state, not two.
    expect(h.health.map((x) => x.state)).toEqual(['connected', 'reconnecting', 'connected']);
  });

  it('a webhook set meanwhile (409) is deleted again, then polling resumes', async () => {
    fake = await startFakeTelegram();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    fake.fail('getUpdates', {
      code: 409,
      description:
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    await until(() => fake?.calls.filter((c) => c.method === 'deleteWebhook').length === 2);
    fake.push(messageUpdate(DM_CHAT, { text: 'after the webhook' }));
    await until(() => h?.received.length === 1);
    expect(h.health[1]).toMatchObject({
      state: 'reconnecting',
      reason: expect.stringContaining('webhook'),
    });
  });

  it('the server going away → reconnecting (with the reason) → back: connected, nothing lost', async () => {
    fake = await startFakeTelegram();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    await fake.pause();
    fake.push(messageUpdate(DM_CHAT, { text: 'sent during the outage' }));
    const down = await until(() => {
      const x = h?.channel.health();
      return x?.state === 'reconnecting' && x.reason.includes('ECONNREFUSED') ? x : undefined;
    });
    expect(down.reason).toContain(`cannot reach the Bot API at ${fake.url}`);
    expect(down.reason).toContain('ECONNREFUSED');
    expect(down.retryInMs).toBeGreaterThan(0);
    await fake.resume();
    await until(() => h?.received.length === 1);
    expect(h.received[0]?.text).toBe('sent during the outage');
    expect(h.channel.health()).toEqual({ state: 'connected' });
    expect(h.health.map((x) => x.state)).toEqual(['connected', 'reconnecting', 'connected']);
    const logs = h.logs.join('');
    expect(logs).toContain('telegram reconnecting');
    expect(logs).not.toContain(fake.token);
    expect(JSON.stringify(h.health)).not.toContain(fake.token);
  });

  it('starts (without throwing) when the server is not there at all, and connects when it comes', async () => {
    fake = await startFakeTelegram();
    await fake.pause();
    h = startChannel(fake);
    await expect(h.channel.start()).resolves.toBeUndefined();
    await until(() => h?.channel.health().state === 'reconnecting');
    await fake.resume();
    await until(() => h?.channel.health().state === 'connected');
  });
});
