/**
 * Files end to end in main's email chat: the real host (bubblewrap, SDK CLI, fake model) and the
 * real adapter on dovecot and the local SMTP server. An image attached to a mail is saved into
 * the group's inbox and reaches the model as an image block; a file the agent writes in its
 * sandbox goes back through `send_file` as an attachment of a reply, byte for byte.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  JPEG,
  REPORT_BYTES,
  reportScript,
  requestsWithImage,
  savedInInbox,
} from '../../support/channel-files.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { dovecotUnavailable } from './support/dovecot.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { ANN, until } from './support/harness.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email files end-to-end tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'email files end to end (host, bwrap, SDK CLI, fake model, dovecot, SMTP)',
  () => {
    let e2e: E2e;
    let host: HostProcess;

    beforeAll(async () => {
      e2e = await startE2e('nanoclaw-email-files-');
      // The host creates the main group; the sender's chat joins it as pairing would.
      host = await startHostProcess(e2e.env);
      await e2e.cli(['groups', 'link', 'main', `email:${ANN}`]);
      await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
    });
    afterEach(() => {
      e2e.model.setScript(undefined);
    });
    afterAll(async () => {
      await host.stop('SIGKILL');
      await e2e.close();
    });

    it('an attached photo is saved into the inbox and reaches the model as an image block', async () => {
      await e2e.world.send({
        subject: 'photo',
        text: 'what is in this picture?',
        attachments: [{ filename: 'cat.jpg', content: JPEG, contentType: 'image/jpeg' }],
      });
      await until(() => e2e.replies('what is in this picture?').length > 0, 90_000);
      const withImage = requestsWithImage(e2e.model, JPEG);
      expect(withImage.length).toBeGreaterThan(0);
      const saved = savedInInbox(e2e.home, JPEG);
      expect(saved).toHaveLength(1);
      expect(path.basename(saved[0] ?? '')).toMatch(/cat\.jpg$/);
    }, 180_000);

    it('send_file mails a file the agent wrote as an attachment of the reply', async () => {
      e2e.model.setScript(reportScript);
      const asked = await e2e.world.send({ subject: 'numbers', text: 'SEND-THE-REPORT please' });
      const mail = await e2e.world.smtp.waitFor(
        (m) => m.user === 'agent' && m.parsed.attachments.length > 0,
        90_000,
      );
      expect(mail.to).toEqual([ANN]);
      const [file] = mail.parsed.attachments;
      expect(file?.filename).toBe('report.txt');
      expect(file?.content.toString('utf8')).toBe(REPORT_BYTES);
      // It answers the mail that asked for it, in its thread.
      expect(mail.parsed.inReplyTo).toBe(asked);
      expect(mail.parsed.subject).toBe('Re: numbers');
    }, 180_000);
  },
);
