/**
 * Attack: the Discord bot token never reaches a sandbox. The real host runs the Discord
 * channel with the token in its .env; a scripted agent, woken by a Discord message, searches
 * its sandbox for the token (environment of every process, files, the agent's own env) and
 * prints BLOCKED or BREACH per attempt; the reply arrives at the fake Discord. The token is
 * assembled inside the script, so it never appears in the message (which the agent sees); a
 * control marker planted in the group folder proves the same search does find what is there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  assemble,
  controlAttempts,
  inEnviron,
  inFiles,
  plantControl,
  verdictsOf,
} from '../../support/channel-token.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { GENERAL } from './support/fake-discord.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { until } from './support/harness.js';

const PARTS = ['MTk4NjIyNDgzNDcxOTI1MjQ4', 'GDcXyz', 'attack', 'suite', 'Qz7abcdefghijklmnopq'];
/** `<id>.<ts>.attack-suite-<hmac>`: a well-formed token whose parts the script joins. */
const TOKEN = `${PARTS[0]}.${PARTS[1]}.${PARTS.slice(2).join('-')}`;
const CONTROL = ['control', 'marker', 'Dq4'];

const ATTEMPTS = [
  assemble('T', [`${PARTS[0]}.${PARTS[1]}.${PARTS[2]}`, ...PARTS.slice(3)]),
  ...controlAttempts(CONTROL),
  inEnviron('dc-token', 'T'),
  inFiles('dc-token', 'T'),
  `t dc-setting-in-env sh -c 'env | grep -q DISCORD_'`,
  `t dc-host-env cat ${'$NANOCLAW_HOME'}/.env`,
];

describe('attack: the Discord token is nowhere inside a sandbox', () => {
  let e2e: E2e;
  let host: HostProcess | undefined;

  beforeAll(async () => {
    e2e = await startE2e('nanoclaw-dc-attack-', { token: TOKEN });
  });

  afterAll(async () => {
    await host?.stop('SIGKILL');
    await e2e.close();
  });

  it('every attempt is BLOCKED, and the reply came through Discord', async () => {
    await e2e.cli(['groups', 'add', 'family', '--chat', `discord:${GENERAL.id}`, '--no-trigger']);
    plantControl(e2e.home, CONTROL);
    host = await startHostProcess(e2e.env);
    await untilCli(e2e.env, ['channels'], /^discord\tconnected$/m);
    e2e.discord.guildMessage(`RUN: ${ATTEMPTS.join('; ')}`);
    const reply = await until(() => e2e.sentTo(GENERAL.id, 'dc-host-env')[0], 90_000);
    const text = String(reply.body.content);
    const verdicts = verdictsOf(text);
    expect(verdicts).toEqual([
      'BREACH control-found',
      'BLOCKED dc-token-in-environ',
      'BLOCKED dc-token-in-files',
      'BLOCKED dc-setting-in-env',
      'BLOCKED dc-host-env',
    ]);
    // The adapter really used the token (the gateway accepted its IDENTIFY).
    expect(e2e.discord.gateway.state.identifies).toBeGreaterThan(0);
    expect(host.output()).not.toContain(TOKEN);
  });
});
