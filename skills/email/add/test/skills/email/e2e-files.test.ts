/**
 * Files end to end in main's email chat: the real host (bubblewrap, SDK CLI, fake model) and the
 * real adapter on dovecot and the local SMTP server. An image attached to a mail is saved into
 * the group's inbox and reaches the model as an image block; a file the agent writes in its
 * sandbox goes back through `send_file` as an attachment of a reply, byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ContentBlock, MessagesBody } from '../../support/fake-anthropic.js';
import { startHostProcess, type HostProcess } from '../../support/host-process.js';
import { dovecotUnavailable } from './support/dovecot.js';
import { startE2e, untilCli, type E2e } from './support/e2e.js';
import { ANN, until } from './support/harness.js';

/** A 1×1 JPEG (the host and the runner check an image by its magic bytes). */
const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////' +
    '////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQAB' +
    'PxA=',
  'base64',
);

const REPORT = '/workspace/group/report.txt';
const REPORT_BYTES = 'quarterly numbers: 42\n';

/** For "SEND-THE-REPORT": write the report with Bash, then send it with send_file. */
function reportScript(body: MessagesBody) {
  const messages = body.messages ?? [];
  if (!JSON.stringify(messages).includes('SEND-THE-REPORT')) return undefined;
  const calls = messages
    .flatMap((m) => (typeof m.content === 'string' ? [] : m.content))
    .filter((b: ContentBlock) => b.type === 'tool_use');
  if (calls.length === 0) {
    const command = `printf 'quarterly numbers: 42\\n' > ${REPORT}`;
    return { toolUse: { name: 'Bash', input: { command, description: 'write the report' } } };
  }
  if (calls.length === 1) {
    return {
      toolUse: { name: 'mcp__nanoclaw__send_file', input: { path: REPORT, caption: 'the report' } },
    };
  }
  return undefined;
}

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
      const image = {
        type: 'image',
        source: { type: 'base64', media_type: 'image/jpeg', data: JPEG.toString('base64') },
      };
      const withImage = e2e.model.requests.filter((r) =>
        JSON.stringify(r.body).includes(JSON.stringify(image)),
      );
      expect(withImage.length).toBeGreaterThan(0);
      const inbox = path.join(e2e.home, 'groups', 'main', 'inbox');
      const saved = fs
        .readdirSync(inbox, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && fs.readFileSync(path.join(e.parentPath, e.name)).equals(JPEG));
      expect(saved).toHaveLength(1);
      expect(saved[0]?.name).toMatch(/cat\.jpg$/);
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
