/**
 * Attack: the mail passwords never reach a sandbox. The real host runs the email channel with
 * IMAP_PASSWORD and SMTP_PASSWORD in its .env; a scripted agent, woken by a mail, searches its
 * sandbox for them (environment of every process, files, the agent's own env, the channel's state
 * file) and prints BLOCKED or BREACH per attempt; the reply arrives by mail. The passwords are
 * assembled inside the script, so they never appear in the mail (which the agent sees); a control
 * marker planted in the group folder proves the same search does find what is there.
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
import { dovecotUnavailable } from './support/dovecot.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { ANN, USERS, until } from './support/harness.js';

/** The IMAP password of the test mailbox ('agent-imap-pw-7Qz'), in parts. */
const IMAP_PARTS = ['agent', 'imap', 'pw', '7Qz'];
const SMTP_PARTS = ['smtp', 'only', 'Vw4', 'secret'];
const SMTP_PASSWORD = SMTP_PARTS.join('-');
const CONTROL = ['control', 'marker', 'Em5'];

const ATTEMPTS = [
  assemble('I', IMAP_PARTS),
  assemble('S', SMTP_PARTS),
  ...controlAttempts(CONTROL),
  inEnviron('imap-pw', 'I'),
  inEnviron('smtp-pw', 'S'),
  inFiles('imap-pw', 'I'),
  inFiles('smtp-pw', 'S'),
  `t mail-setting-in-env sh -c 'env | grep -qE "^(IMAP|SMTP|EMAIL)_"'`,
  `t email-state-file sh -c 'find / -name email.db 2>/dev/null | grep -q .'`,
  `t host-env cat ${'$NANOCLAW_HOME'}/.env`,
].join('\n');

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email password attack test: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'attack: the mail passwords are nowhere inside a sandbox',
  () => {
    let e2e: E2e;
    let host: HostProcess | undefined;

    beforeAll(async () => {
      expect(IMAP_PARTS.join('-')).toBe(USERS[0]?.password);
      e2e = await startE2e('nanoclaw-email-attack-', `SMTP_PASSWORD=${SMTP_PASSWORD}\n`);
      // The SMTP server accepts the agent with its own SMTP password (the IMAP one differs).
      const agent = USERS[0];
      if (agent) e2e.world.smtp.passwords.set('agent', SMTP_PASSWORD);
      await e2e.cli(['groups', 'add', 'family', '--chat', `email:${ANN}`, '--no-trigger']);
      plantControl(e2e.home, CONTROL);
    });
    afterAll(async () => {
      await host?.stop('SIGKILL');
      await e2e.close();
    });

    it('every attempt is BLOCKED, and the reply came by mail', async () => {
      host = await startHostProcess(e2e.env);
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
      await e2e.world.send({
        subject: 'look around',
        text: `RUN: ${ATTEMPTS.split('\n').join('; ')}`,
      });
      const [reply] = await until(
        () => e2e.replies('host-env').length > 0 && e2e.replies('host-env'),
        120_000,
      );
      const text = reply?.parsed.text ?? '';
      const verdicts = verdictsOf(text);
      expect(verdicts).toEqual([
        'BREACH control-found',
        'BLOCKED imap-pw-in-environ',
        'BLOCKED smtp-pw-in-environ',
        'BLOCKED imap-pw-in-files',
        'BLOCKED smtp-pw-in-files',
        'BLOCKED mail-setting-in-env',
        'BLOCKED email-state-file',
        'BLOCKED host-env',
      ]);
      // The adapter really used both passwords: it read the mail (IMAP) and replied (SMTP).
      expect(reply?.user).toBe('agent');
      expect(host.output()).not.toContain(SMTP_PASSWORD);
      expect(host.output()).not.toContain(IMAP_PARTS.join('-'));
    }, 180_000);
  },
);
