/**
 * Discord end to end: the real host process (`nanoclaw start`, the skill applied), real
 * bubblewrap sandboxes, the real SDK CLI and a fake model, with the real adapter (discord.js)
 * connected to a fake Discord. A message in a registered guild channel wakes that group and the
 * reply arrives in that channel (as a reply to it); a DM joined to main is answered in the DM; a
 * kill -9 mid-turn is answered exactly once after the restart; the gateway going away is
 * survived, and `nanoclaw channels` says so in between.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { DM, GENERAL } from './support/fake-discord.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { until } from './support/harness.js';

describe('discord end to end (host process, bwrap, SDK CLI, fake model, fake Discord)', () => {
  let e2e: E2e;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-dc-e2e-');
    await e2e.cli(['groups', 'add', 'family', '--chat', `discord:${GENERAL.id}`, '--no-trigger']);
  });

  afterEach(async () => {
    await host?.stop('SIGKILL');
    host = undefined;
  });

  afterAll(async () => {
    await e2e.close();
  });

  it('a guild message wakes its group and the reply arrives in that channel; a DM of main is answered in the DM', async () => {
    host = await startHostProcess(e2e.env);
    await e2e.cli(['groups', 'link', 'main', `discord:${DM.id}`]);
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m);
    const inbound = e2e.discord.guildMessage('hello from discord');
    const [reply] = await until(
      () =>
        e2e.sentTo(GENERAL.id, 'hello from discord').length > 0 &&
        e2e.sentTo(GENERAL.id, 'hello from discord'),
      60_000,
    );
    expect(reply?.body.content).toContain('ECHO:');
    expect(reply?.body.message_reference).toMatchObject({ message_id: inbound });
    // The group's folder got the run, not main: the reply was not in the DM.
    expect(e2e.sentTo(DM.id)).toHaveLength(0);
    // "typing…" was shown in the channel while the agent worked.
    expect(e2e.discord.calls.some((c) => c.path === `/channels/${GENERAL.id}/typing`)).toBe(true);
    e2e.discord.dmMessage('a private question');
    await until(() => e2e.sentTo(DM.id, 'a private question')[0], 60_000);
    expect(e2e.sentTo(GENERAL.id, 'a private question')).toHaveLength(0);
  });

  it('kill -9 during a turn: after a restart it is answered exactly once, and a message sent while down reaches the agent', async () => {
    host = await startHostProcess(e2e.env);
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m);
    const before = e2e.model.requests.length;
    e2e.discord.guildMessage('RUN: sleep 4; echo slept-once');
    await until(() => e2e.model.requests.length > before, 60_000);
    await host.stop('SIGKILL');
    // Discord does not replay this to a new session: the channel fetches it on start.
    e2e.discord.guildMessage('written while NanoClaw was down');
    host = await startHostProcess(e2e.env);
    await until(() => e2e.sentTo(GENERAL.id, 'slept-once').length > 0, 90_000);
    // It reached the agent (usually with the interrupted one, in one catch-up prompt).
    const missed = 'written while NanoClaw was down';
    await until(
      () => e2e.model.requests.some((r) => JSON.stringify(r.body).includes(missed)),
      60_000,
    );
    // Give a duplicate every chance to appear, then check there is none.
    await new Promise((r) => setTimeout(r, 3000));
    expect(e2e.sentTo(GENERAL.id, 'slept-once')).toHaveLength(1);
  }, 180_000);

  it('the gateway dropped and Discord away: nanoclaw channels shows reconnecting (why), then connected, and the next message is answered', async () => {
    host = await startHostProcess(e2e.env);
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m);
    await e2e.discord.pause();
    const away = await untilCli(e2e.env, ['channels'], /^discord\treconnecting\b/m);
    expect(away).toMatch(
      /^discord\treconnecting in \d+s: (the gateway connection dropped; resuming|the gateway connection was lost and resuming failed|cannot reach the Discord API at \S+ \(\w+\))$/m,
    );
    expect(away).not.toContain(e2e.discord.token);
    await e2e.discord.resume();
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m, 60_000);
    e2e.discord.guildMessage('back again');
    await until(() => e2e.sentTo(GENERAL.id, 'back again')[0], 60_000);
    expect(host.output()).not.toContain(e2e.discord.token);
  });
});
