/**
 * Mail out, with the real adapter (nodemailer) against a local SMTP server that files each mail
 * into the recipient's dovecot INBOX: a reply threads on the mail it answers (In-Reply-To,
 * References, "Re: subject") and goes to the sender's address only; the agent's file is attached
 * byte for byte; a retry of a message SMTP already accepted sends nothing again.
 */
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dovecotUnavailable } from './support/dovecot.js';
import {
  ANN,
  USERS,
  connected,
  startChannel,
  startMailWorld,
  until,
  type Harness,
  type MailWorld,
} from './support/harness.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email outbound tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  'email out (nodemailer through smtp-server into dovecot)',
  () => {
    let world: MailWorld;
    let h: Harness;

    beforeAll(async () => {
      world = await startMailWorld();
      h = startChannel(world);
      await connected(h);
    });
    afterEach(() => {
      world.smtp.sent.length = 0;
    });
    afterAll(async () => {
      await h.stop();
      await world.close();
    });

    it('a reply carries In-Reply-To and References of the mail it answers and lands in its thread', async () => {
      const first = await world.send({
        subject: 'Trip',
        text: 'where shall we go?',
        messageId: '<trip-1@example.test>',
      });
      const second = await world.send({
        subject: 'Re: Trip',
        text: 'and when?',
        inReplyTo: first,
        references: [first, '<bot-1@example.test>'],
      });
      const inbound = await until(() => h.received.find((m) => m.text.includes('and when?')));
      await h.channel.send({
        chatId: inbound.chatId,
        messageId: 'asst-1',
        text: 'Lisbon, in **May**.',
        replyTo: inbound.id,
      });
      const mail = await world.smtp.waitFor((m) => m.user === 'agent');
      expect(mail.to).toEqual([ANN]);
      expect(mail.parsed.subject).toBe('Re: Trip');
      expect(mail.parsed.inReplyTo).toBe(second);
      expect(mail.parsed.references).toEqual([first, '<bot-1@example.test>', second]);
      expect(mail.parsed.text?.trim()).toBe('Lisbon, in **May**.');
      expect(mail.parsed.from?.value[0]?.address).toBe('agent@example.test');
      expect(mail.parsed.headers.get('auto-submitted')).toBe('auto-replied');
      // It is in ann's INBOX, found by its threading header as her mail client would.
      const ann = new ImapFlow({
        host: world.dovecot.host,
        port: world.dovecot.port,
        secure: false,
        auth: { user: 'ann', pass: USERS[1]?.password ?? '' },
        logger: false,
      });
      await ann.connect();
      await ann.mailboxOpen('INBOX');
      const hits = await ann.search({ header: { 'in-reply-to': second } }, { uid: true });
      await ann.logout();
      expect(hits).toHaveLength(1);
    });

    it("a reply goes to the sender's address, never to a Reply-To the mail names", async () => {
      await world.send({
        subject: 'hijack',
        text: 'reply please',
        replyTo: 'mallory@example.test',
      });
      const inbound = await until(() => h.received.find((m) => m.text.includes('reply please')));
      await h.channel.send({
        chatId: inbound.chatId,
        messageId: 'asst-2',
        text: 'ok',
        replyTo: inbound.id,
      });
      const mail = await world.smtp.waitFor((m) => m.user === 'agent');
      expect(mail.to).toEqual([ANN]);
    });

    it('a file goes out as an attachment with its exact bytes', async () => {
      const bytes = Buffer.from('quarterly numbers: 42\n');
      await h.channel.send({
        chatId: `email:${ANN}`,
        messageId: 'asst-3',
        text: 'Here is the report.',
        file: { name: 'report.txt', mime: 'text/plain', bytes },
      });
      const mail = await world.smtp.waitFor((m) => m.user === 'agent');
      const [file] = mail.parsed.attachments;
      expect(file?.filename).toBe('report.txt');
      expect(file?.content.equals(bytes)).toBe(true);
      // It names no mail it answers: it threads on ann's latest mail (within the hour).
      expect(h.received.at(-1)?.text).toContain('reply please');
      expect(mail.parsed.subject).toBe('Re: hijack');
    });

    it('a message for a sender with no recent mail gets a fresh subject from its first words', async () => {
      await h.channel.send({
        chatId: 'email:someone@example.test',
        messageId: 'asst-6',
        text: '## Daily summary\n\nall good',
      });
      const mail = await world.smtp.waitFor((m) => m.user === 'agent');
      expect(mail.parsed.subject).toBe('Daily summary');
      expect(mail.parsed.inReplyTo).toBeUndefined();
    });

    it('a retry of a message SMTP already accepted mails nothing again', async () => {
      const message = { chatId: `email:${ANN}`, messageId: 'asst-4', text: 'once' };
      await h.channel.send(message);
      await h.channel.send(message);
      await world.smtp.waitFor((m) => m.user === 'agent');
      await new Promise((r) => setTimeout(r, 200));
      expect(world.smtp.sent.filter((m) => m.parsed.text?.includes('once'))).toHaveLength(1);
    });

    it('a chat id that is not an address is refused, and SMTP refusing the login says so', async () => {
      await expect(
        h.channel.send({ chatId: 'email:nobody', messageId: 'x', text: 'x' }),
      ).rejects.toThrow(/not an email chat/);
      const bad = startChannel(world, { values: world.values({ SMTP_PASSWORD: 'wrong-smtp-pw' }) });
      await expect(
        bad.channel.send({ chatId: `email:${ANN}`, messageId: 'asst-5', text: 'x' }),
      ).rejects.toThrow(/did not take the mail/);
      expect(bad.channel.health()).toMatchObject({
        state: 'failed',
        fix: expect.stringMatching(/SMTP_PASSWORD/),
      });
      expect(JSON.stringify(bad.channel.health())).not.toContain('wrong-smtp-pw');
      await bad.stop();
    });
  },
);
