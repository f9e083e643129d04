/**
 * Connection health with the real adapter against a real dovecot: a refused login is `failed`
 * with the fix (the password never in the state or the logs); dovecot killed or restarted under
 * the channel is `reconnecting` with the reason, then `connected` again, and the next mail
 * arrives through the new connection's IDLE.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dovecotUnavailable } from './support/dovecot.js';
import {
  connected,
  startChannel,
  startMailWorld,
  until,
  type Harness,
  type MailWorld,
} from './support/harness.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email health tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('email health (real dovecot)', () => {
  let world: MailWorld;
  let h: Harness | undefined;

  beforeAll(async () => {
    world = await startMailWorld();
  });
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });
  afterAll(async () => {
    await world.close();
  });

  it('a wrong password: failed, with what to do, and the password nowhere', async () => {
    h = startChannel(world, { values: world.values({ IMAP_PASSWORD: 'not-the-password-93' }) });
    const failed = await until(() => h?.health.find((s) => s.state === 'failed'));
    expect(failed).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/refused the login/),
      fix: expect.stringMatching(/IMAP_PASSWORD/),
    });
    expect(JSON.stringify(h.health) + h.logs.join('')).not.toContain('not-the-password-93');
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`dovecot ${signal === 'SIGKILL' ? 'killed' : 'restarted'}: reconnecting, then connected, and the next mail arrives`, async () => {
      h = startChannel(world);
      await connected(h);
      await world.dovecot.stop(signal);
      // Generous: on a loaded machine dovecot's shutdown and imapflow noticing it take a while.
      const away = await until(() => h?.health.find((s) => s.state === 'reconnecting'), 30_000);
      expect(away).toMatchObject({
        reason: expect.stringMatching(/IMAP server .* (closed|ECONNREFUSED)/),
      });
      await world.dovecot.start();
      await until(() => h?.channel.health().state === 'connected', 15_000);
      // (dovecot-lda needs the running server, so mail is filed once it is back.)
      await world.send({ subject: 'during the outage', text: 'x' });
      const m = await until(() => h?.received[0], 15_000);
      expect(m.text).toContain('during the outage');
      expect(h.health.map((s) => s.state)).toEqual(
        expect.arrayContaining(['connected', 'reconnecting']),
      );
    });
  }
});
