/**
 * Slack connection health against the fake: a refused bot or app token fails with the fix and
 * stops; a dropped socket, Slack's `disconnect` and a server that goes away are reconnected
 * with backoff (reported once per change), envelopes sent meanwhile arrive after; no token in
 * any log line or reason. start() never throws.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { CHANNEL, messageEvent, startChannel, until, type Harness } from './support/harness.js';

describe('slack health (real Bolt and Socket Mode client, fake Slack)', () => {
  let fake: FakeSlack | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.channel.stop();
    await fake?.close();
    h = undefined;
  });

  it('a refused bot token is failed, says how to fix it, and stops', async () => {
    fake = await startFakeSlack();
    const wrong = 'xoxb-9999-wrong-bottoken';
    h = startChannel(fake, { botToken: wrong });
    const failed = await until(() => h?.health.find((x) => x.state === 'failed'));
    if (failed.state !== 'failed') throw new Error('unreachable');
    expect(failed.reason).toBe('Slack refused SLACK_BOT_TOKEN (invalid_auth)');
    expect(failed.fix).toContain('nanoclaw skills add slack --set SLACK_BOT_TOKEN=');
    const calls = fake.calls.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.calls.length).toBe(calls);
    expect(h.logs.join('')).not.toContain(wrong);
  });

  it('a bot token given as the app token is failed with the app-token fix', async () => {
    fake = await startFakeSlack();
    h = startChannel(fake, { appToken: 'xapp-1-A111-wrong-apptoken' });
    const failed = await until(() => h?.health.find((x) => x.state === 'failed'));
    if (failed.state !== 'failed') throw new Error('unreachable');
    expect(failed.reason).toBe('Slack refused SLACK_APP_TOKEN (invalid_auth)');
    expect(failed.fix).toContain('connections:write');
    expect(h.logs.join('')).not.toContain('xapp-1-A111-wrong-apptoken');
  });

  it('a dropped socket → reconnecting → connected; an event sent meanwhile arrives', async () => {
    fake = await startFakeSlack();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    fake.drop();
    fake.event(messageEvent(CHANNEL, { text: 'sent while down' }));
    await until(() => fake?.connections() === 2);
    await until(() => h?.received.length === 1);
    expect(h.received[0]?.text).toBe('sent while down');
    await until(() => h?.channel.health().state === 'connected');
    expect(h.health.map((x) => x.state)).toEqual(['connected', 'reconnecting', 'connected']);
    expect(h.health[1]).toMatchObject({ reason: 'the Socket Mode connection closed' });
  });

  it('Slack’s disconnect message (refresh) is followed by a new connection', async () => {
    fake = await startFakeSlack();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    fake.disconnect('refresh_requested');
    await until(() => fake?.connections() === 2);
    fake.event(messageEvent(CHANNEL, { text: 'after the refresh' }));
    await until(() => h?.received.length === 1);
  });

  it('the server going away → reconnecting (ECONNREFUSED, with the URL) → back: connected', async () => {
    fake = await startFakeSlack();
    h = startChannel(fake);
    await until(() => h?.channel.health().state === 'connected');
    await fake.pause();
    const down = await until(() => {
      const x = h?.channel.health();
      return x?.state === 'reconnecting' && x.reason.includes('ECONNREFUSED') ? x : undefined;
    });
    expect(down.reason).toBe(`cannot reach the Slack API at ${fake.url} (ECONNREFUSED)`);
    expect(down.retryInMs).toBeGreaterThan(0);
    await fake.resume();
    await until(() => h?.channel.health().state === 'connected');
    const logs = h.logs.join('');
    expect(logs).toContain('slack reconnecting');
    expect(logs).not.toContain(fake.botToken);
    expect(logs).not.toContain(fake.appToken);
  });

  it('starts (without throwing) when the server is not there, and connects when it comes', async () => {
    fake = await startFakeSlack();
    await fake.pause();
    h = startChannel(fake);
    await expect(h.channel.start()).resolves.toBeUndefined();
    await until(() => h?.channel.health().state === 'reconnecting');
    await fake.resume();
    await until(() => h?.channel.health().state === 'connected');
  });
});
