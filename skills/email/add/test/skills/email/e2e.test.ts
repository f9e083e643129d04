/**
 * Email end to end: the real host process (`nanoclaw start`, the skill applied), real bubblewrap
 * sandboxes, the real SDK CLI and a fake model, with the real adapter on a real dovecot and a
 * local SMTP server. A mail from an allowed sender wakes the group its chat belongs to and the
 * reply arrives threaded in the sender's mailbox; a kill -9 mid-turn is answered exactly once
 * after the restart; dovecot going away and coming back is survived, and `nanoclaw channels`
 * says so in between. Files: e2e-files.test.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { dovecotUnavailable } from './support/dovecot.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { ANN, USERS, until } from './support/harness.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email end-to-end tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'email end to end (host, bwrap, SDK CLI, fake model, dovecot, SMTP)',
  () => {
    let e2e: E2e;
    let host: HostProcess | undefined;

    beforeAll(async () => {
      e2e = await startE2e('nanoclaw-email-e2e-');
      await e2e.cli(['groups', 'add', 'family', '--chat', `email:${ANN}`, '--no-trigger']);
    });
    afterEach(async () => {
      await host?.stop('SIGKILL');
      host = undefined;
    });
    afterAll(async () => {
      await e2e.close();
    });

    it('a mail wakes the group of its sender, and the reply arrives threaded in her mailbox', async () => {
      host = await startHostProcess(e2e.env);
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
      const sent = await e2e.world.send({ subject: 'Weekend', text: 'hello from email' });
      const [reply] = await until(
        () => e2e.replies('hello from email').length > 0 && e2e.replies('hello from email'),
        90_000,
      );
      expect(reply?.parsed.text).toContain('ECHO:');
      expect(reply?.to).toEqual([ANN]);
      expect(reply?.parsed.subject).toBe('Re: Weekend');
      expect(reply?.parsed.inReplyTo).toBe(sent);
      expect(reply?.parsed.references).toEqual(sent);
      // Filed into ann's INBOX by dovecot-lda, as her mail client would show it.
      expect(reply?.raw.toString()).toContain(`In-Reply-To: ${sent}`);
      expect(host.output()).not.toContain(USERS[0]?.password ?? '-');
    });

    it('kill -9 during a turn: after a restart the mail is answered exactly once', async () => {
      host = await startHostProcess(e2e.env);
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
      const before = e2e.model.requests.length;
      await e2e.world.send({ subject: 'slow one', text: 'RUN: sleep 4; echo slept-once' });
      await until(() => e2e.model.requests.length > before, 60_000);
      await host.stop('SIGKILL');
      host = await startHostProcess(e2e.env);
      await until(() => e2e.replies('slept-once').length > 0, 90_000);
      // Give a duplicate every chance to appear, then check there is none.
      await new Promise((r) => setTimeout(r, 3000));
      expect(e2e.replies('slept-once')).toHaveLength(1);
    });

    it('dovecot dropping every connection: reconnecting (and why), then connected, and the next mail is answered', async () => {
      host = await startHostProcess(e2e.env);
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
      await e2e.world.dovecot.stop('SIGKILL');
      const away = await untilCli(e2e.env, ['channels'], /^email\treconnecting\b/m);
      expect(away).toMatch(/^email\treconnecting in \d+s: .*IMAP server 127\.0\.0\.1:\d+/m);
      await e2e.world.dovecot.start();
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m, 60_000);
      await e2e.world.send({ subject: 'back', text: 'back again' });
      await until(() => e2e.replies('back again').length > 0, 90_000);
      expect(host.output()).toContain('email reconnecting');
    });
  },
);
