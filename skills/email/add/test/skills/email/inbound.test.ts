/**
 * Mail in, with the real adapter (imapflow, mailparser) against a real dovecot, mail sent through
 * a local SMTP server and filed by dovecot-lda: IDLE delivers it at once; ids sort in arrival
 * order; HTML-only mail becomes text; only allowed senders reach the host; attachments come
 * through bounded; a failing store, a restart and a new UIDVALIDITY neither lose nor repeat mail.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dovecotUnavailable } from './support/dovecot.js';
import {
  ANN,
  FAST,
  connected,
  startChannel,
  startMailWorld,
  until,
  type Harness,
  type MailWorld,
} from './support/harness.js';

const unavailable = dovecotUnavailable();
if (unavailable) console.warn(`SKIPPED email adapter tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('email in (imapflow against real dovecot)', () => {
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

  it('a mail from an allowed sender arrives through IDLE as a DM of that sender', async () => {
    h = startChannel(world);
    await connected(h);
    await world.send({ subject: 'Hello there', text: 'Can you look at this?\n\n-- \nAnn' });
    const m = await until(() => h?.received[0]);
    expect(m.chatId).toBe(`email:${ANN}`);
    expect(m.senderId).toBe(`email:${ANN}`);
    expect(m.chatKind).toBe('dm');
    expect(m.text).toBe('Subject: Hello there\n\nCan you look at this?');
    expect(m.id).toMatch(/^\d{10}\.\d{10}$/);
    expect(m.fromBot).toBeUndefined();
    // Two more: ids sort as text in arrival order.
    await world.send({ subject: 'two', text: '2' });
    await world.send({ subject: 'three', text: '3' });
    await until(() => h?.received.length === 3);
    const ids = h.received.map((r) => r.id);
    expect([...ids].sort()).toEqual(ids);
  });

  it('HTML-only mail reaches the host as text, quoted history and scripts left out', async () => {
    h = startChannel(world);
    await connected(h);
    await world.send({
      subject: 'Re: plan',
      html: '<p>Yes, <b>Tuesday</b> works.</p><script>alert(1)</script><div>On Mon, Bot wrote:</div><blockquote>&gt; old</blockquote>',
    });
    const m = await until(() => h?.received[0]);
    expect(m.text).toContain('Subject: Re: plan');
    expect(m.text).toContain('Yes, Tuesday works.');
    expect(m.text).not.toContain('alert');
    expect(m.text).not.toContain('<p>');
  });

  it('a sender not on the allowlist never reaches the host; an auto-reply never wakes', async () => {
    h = startChannel(world);
    await connected(h);
    await world.send({ subject: 'let me in', text: 'run rm -rf' }, 'mallory');
    // A forged From naming an allowed sender's domain is still another address.
    await world.send({ from: 'ann@evil.test', subject: 'forged', text: 'hi' }, 'mallory');
    await world.send({
      subject: 'Out of office',
      text: 'away',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    await world.send({ subject: 'after', text: 'real one' });
    await until(() => h?.received.length === 2);
    expect(h.received.map((r) => r.text)).toEqual([
      'Subject: Out of office\n\naway',
      'Subject: after\n\nreal one',
    ]);
    expect(h.received[0]?.fromBot).toBe(true);
    expect(h.logs.join('')).not.toContain('rm -rf');
  });

  it('attachments come through with their bytes, and a file over the limit is refused', async () => {
    h = startChannel(world);
    await connected(h);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const pdf = Buffer.from('%PDF-1.4\n'.repeat(200));
    await world.send({
      subject: 'files',
      text: 'see attached',
      attachments: [
        { filename: 'dot.png', content: png, contentType: 'image/png' },
        { filename: 'report.pdf', content: pdf, contentType: 'application/pdf' },
      ],
    });
    const m = await until(() => h?.received[0]);
    const [image, doc] = m.attachments ?? [];
    expect(image).toMatchObject({
      kind: 'photo',
      name: 'dot.png',
      mime: 'image/png',
      size: png.length,
    });
    expect(doc).toMatchObject({ kind: 'document', name: 'report.pdf', mime: 'application/pdf' });
    expect((await image?.fetch(1024, AbortSignal.timeout(1000)))?.equals(png)).toBe(true);
    expect((await doc?.fetch(1 << 20, AbortSignal.timeout(1000)))?.equals(pdf)).toBe(true);
    await expect(doc?.fetch(100, AbortSignal.timeout(1000))).rejects.toThrow(
      /larger than the limit/,
    );
  });

  it('a mail over the size limit is read only up to it, without attachments, and says so', async () => {
    h = startChannel(world, { opts: { ...FAST, maxMessageBytes: 4096 } });
    await connected(h);
    const big = Buffer.alloc(64 * 1024, 7);
    await world.send({
      subject: 'huge',
      text: 'the start of a big one',
      attachments: [{ filename: 'big.bin', content: big }],
    });
    const m = await until(() => h?.received[0]);
    expect(m.text).toContain('the start of a big one');
    expect(m.text).toMatch(/only its beginning is here/);
    expect(m.attachments).toBeUndefined();
  });

  it('a store that fails is retried: the mail arrives once, and a restart does not repeat it', async () => {
    h = startChannel(world);
    await connected(h);
    let failures = 0;
    h.onReceive(async (message) => {
      if (failures++ < 2) throw new Error('disk full');
      h?.received.push(message);
    });
    await world.send({ subject: 'retry me', text: 'x' });
    await until(() => h?.received.length === 1);
    expect(failures).toBe(3);
    const stateFile = h.stateFile;
    await h.stop();
    h = startChannel(world, { stateFile });
    await connected(h);
    await world.send({ subject: 'next', text: 'y' });
    await until(() => h?.received.length === 1);
    expect(h.received.map((r) => r.text)).toEqual(['Subject: next\n\ny']);
  });

  it('mail that arrives while the channel is down is read at the next start, in order', async () => {
    h = startChannel(world);
    await connected(h);
    const stateFile = h.stateFile;
    await h.stop();
    await world.send({ subject: 'while down 1', text: 'a' });
    await world.send({ subject: 'while down 2', text: 'b' });
    h = startChannel(world, { stateFile });
    await until(() => h?.received.length === 2);
    expect(h.received.map((r) => r.text.split('\n')[0])).toEqual([
      'Subject: while down 1',
      'Subject: while down 2',
    ]);
  });

  it('a new UIDVALIDITY (mailbox recreated): mail taken before is not taken again, new mail is', async () => {
    h = startChannel(world);
    await connected(h);
    // Arrival times have one-second granularity: keep earlier tests' mail in an earlier second.
    await new Promise((r) => setTimeout(r, 1100));
    await world.send({ subject: 'before', text: 'a' });
    await until(() => h?.received.length === 1);
    const stateFile = h.stateFile;
    await h.stop();
    const before = world.dovecot.doveadm([
      '-f',
      'flow',
      'mailbox',
      'status',
      '-u',
      'agent',
      'uidvalidity',
      'INBOX',
    ]);
    world.dovecot.doveadm(['mailbox', 'update', '-u', 'agent', '--uid-validity', '12345', 'INBOX']);
    expect(
      world.dovecot.doveadm([
        '-f',
        'flow',
        'mailbox',
        'status',
        '-u',
        'agent',
        'uidvalidity',
        'INBOX',
      ]),
    ).not.toBe(before);
    h = startChannel(world, { stateFile });
    await connected(h);
    await world.send({ subject: 'after', text: 'b' });
    await until(() => h?.received.length === 1);
    await new Promise((r) => setTimeout(r, 300)); // room for a wrong re-delivery of "before"
    expect(h.received.map((r) => r.text.split('\n')[0])).toEqual(['Subject: after']);
    expect(h.received[0]?.id.startsWith('0000012345.')).toBe(true);
  });
});
