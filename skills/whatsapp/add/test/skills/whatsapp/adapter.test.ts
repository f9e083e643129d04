/**
 * NOT a protocol test: WhatsApp's wire protocol pins WhatsApp's certificates (the Noise
 * handshake must chain to a hard-coded root key), so no local server can play WhatsApp. These
 * tests run the real adapter, the real auth files (real Baileys codec) and the real QR
 * renderer against a scripted socket at the library boundary (support/scripted-socket.ts),
 * emitting Baileys' events with Baileys' shapes. Real phones: the smoke checklist in SKILL.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STATUS } from '../../../src/channels/whatsapp/machine.js';
import { ACCOUNT, ME, openChannel, startChannel, until, type Harness } from './support/harness.js';
import { waMessage } from './support/scripted-socket.js';

const ANN = '4917700000000@s.whatsapp.net';
const GROUP = '120363000000000000@g.us';

describe('whatsapp adapter at the Baileys boundary (scripted socket)', () => {
  let h: Harness;
  afterEach(async () => {
    await h.close();
  });

  it('links by QR code: printed for the terminal and shown as a PNG on the health, then connected', async () => {
    h = await startChannel();
    h.lib.last().qr('2@AbCdEf,ghIJ,klMN==');
    const linking = await until(() => {
      const s = h.channel.health();
      return s.state === 'connecting' && s.link ? s : undefined;
    });
    expect(linking.link?.qrImage).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/);
    expect(linking.link?.instructions).toContain('Linked devices');
    expect(h.printed.join('')).toMatch(/scan this QR code[\s\S]*[█▀▄]/);
    await openChannel(h);
    expect(h.health.map((s) => s.state)).toEqual(['connecting', 'connecting', 'connected']);
  });

  it('links by pairing code when asked: requested for WHATSAPP_ACCOUNT and shown', async () => {
    h = await startChannel({ linkMethod: 'code' });
    h.lib.last().qr('2@x');
    const linking = await until(() => {
      const s = h.channel.health();
      return s.state === 'connecting' && s.link?.code ? s : undefined;
    });
    expect(linking.link?.code).toBe('ABCD1234');
    expect(h.lib.last().calls).toContainEqual({ method: 'requestPairingCode', args: [ACCOUNT] });
    expect(h.printed.join('')).toContain('WhatsApp pairing code: ABCD1234');
  });

  it('the auth state is written 0600 in a 0700 directory of the data directory', async () => {
    h = await startChannel();
    const socket = h.lib.last();
    socket.auth.creds.me = { id: `${ACCOUNT}:7@s.whatsapp.net` };
    socket.emitter.emit('creds.update', {});
    await socket.auth.keys.set({
      'pre-key': { '1': { public: Buffer.alloc(32, 1), private: Buffer.alloc(32, 2) } },
    });
    const creds = path.join(h.authDir, 'creds.json');
    await until(() => fs.existsSync(creds));
    expect(fs.statSync(h.authDir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(h.authDir)) {
      expect(fs.statSync(path.join(h.authDir, f)).mode & 0o777, f).toBe(0o600);
    }
    expect(JSON.parse(fs.readFileSync(creds, 'utf8')).me.id).toBe(`${ACCOUNT}:7@s.whatsapp.net`);
  });

  it('515 (restart required) reconnects at once; a lost connection reconnects with backoff', async () => {
    h = await startChannel();
    await openChannel(h);
    h.lib.last().close(STATUS.restartRequired, 'restart required');
    await until(() => h.lib.sockets.length === 2);
    h.lib.last().close(STATUS.timedOut, 'Connection Lost');
    const retrying = await until(() => h.health.find((s) => s.state === 'reconnecting'));
    expect(retrying).toMatchObject({ reason: 'Connection Lost (408)', retryInMs: 40 });
    await until(() => h.lib.sockets.length === 3);
    // Connecting again is still "reconnecting" for the operator, until it is open.
    expect(h.channel.health().state).toBe('reconnecting');
    await openChannel(h);
    expect(h.health.map((s) => s.state)).toEqual([
      'connecting',
      'connected',
      'connecting',
      'reconnecting',
      'connected',
    ]);
  });

  it('logged out: failed with how to re-link, never retried; sends wait in the outbox', async () => {
    h = await startChannel();
    await openChannel(h);
    h.lib.last().close(STATUS.loggedOut, 'Intentional Logout');
    const failed = await until(() => h.health.find((s) => s.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringContaining('logged this device out') });
    expect(JSON.stringify(failed)).toContain(`rm -r '${h.authDir}'`);
    await new Promise((r) => setTimeout(r, 200));
    expect(h.lib.sockets).toHaveLength(1);
    await expect(
      h.channel.send({ chatId: `whatsapp:${ANN}`, messageId: 'm', text: 'x' }),
    ).rejects.toThrow(/not connected.*retried/);
  });

  it('a phone of another account is refused', async () => {
    h = await startChannel();
    h.lib.last().login('4930000000000');
    h.lib.last().open();
    const failed = await until(() => h.health.find((s) => s.state === 'failed'));
    expect(failed).toMatchObject({ reason: expect.stringContaining('linked to +4930000000000') });
  });

  it('messages: a DM, a group with its name, the self chat; own echoes and history are skipped', async () => {
    h = await startChannel();
    await openChannel(h);
    const socket = h.lib.last();
    socket.upsert([
      waMessage(ANN, { conversation: 'hi' }),
      waMessage(GROUP, { conversation: 'in the group' }, { participant: ANN }),
      waMessage(ME, { conversation: 'note to self' }, { fromMe: true }),
      waMessage(ANN, { conversation: 'our reply' }, { fromMe: true, id: 'NCLWABC' }),
    ]);
    socket.upsert([waMessage(ANN, { conversation: 'old history' })], 'append');
    await until(() => h.received.length === 3);
    expect(h.received.map((m) => [m.chatId, m.chatName, m.text, m.fromBot])).toEqual([
      [`whatsapp:${ANN}`, 'Ann', 'hi', false],
      [`whatsapp:${GROUP}`, 'Group 120363000000000000', 'in the group', false],
      [`whatsapp:${ME}`, 'Message yourself', 'note to self', false],
    ]);
    // Same WhatsApp second, same chat: the later message sorts later.
    socket.upsert([waMessage(ANN, { conversation: 'and again' })]);
    await until(() => h.received.length === 4);
    expect(h.received[3]?.ts).toBeGreaterThan(h.received[0]?.ts ?? Infinity);
    expect(h.seen.map((c) => c.kind)).toContain('group');
  });

  it('an image reaches the host as an attachment downloaded through the socket, bounded', async () => {
    h = await startChannel();
    await openChannel(h);
    const socket = h.lib.last();
    const photo = waMessage(ANN, { imageMessage: { caption: 'look', mimetype: 'image/jpeg' } });
    const voice = waMessage(ANN, {
      audioMessage: { ptt: true, mimetype: 'audio/ogg', fileLength: 99_999 },
    });
    socket.media.set(photo.key.id ?? '', Buffer.alloc(5000, 7));
    socket.upsert([photo, voice]);
    await until(() => h.received.length === 2);
    const image = h.received[0]?.attachments?.[0];
    expect(image).toMatchObject({ kind: 'photo', mime: 'image/jpeg' });
    expect(
      (await image?.fetch(10_000, AbortSignal.timeout(2000)))?.equals(Buffer.alloc(5000, 7)),
    ).toBe(true);
    await expect(image?.fetch(2000, AbortSignal.timeout(2000))).rejects.toThrow(
      /larger than the limit/,
    );
    // Announced as too large: refused before any download.
    const downloads = socket.calls.filter((c) => c.method === 'downloadMedia').length;
    await expect(
      h.received[1]?.attachments?.[0]?.fetch(1000, AbortSignal.timeout(2000)),
    ).rejects.toThrow(/voice is larger/);
    expect(socket.calls.filter((c) => c.method === 'downloadMedia')).toHaveLength(downloads);
  });

  it('sends WhatsApp formatting with our own ids; files as image or document', async () => {
    h = await startChannel();
    await openChannel(h);
    const socket = h.lib.last();
    await h.channel.send({ chatId: `whatsapp:${GROUP}`, messageId: 'out1', text: '**Hi** ~~no~~' });
    const pdf = { name: 'r.pdf', mime: 'application/pdf', bytes: Buffer.from('%PDF') };
    await h.channel.send({
      chatId: `whatsapp:${ANN}`,
      messageId: 'out2',
      text: 'the _report_',
      file: pdf,
    });
    const png = { name: 'a.png', mime: 'image/png', bytes: Buffer.from('PNG') };
    await h.channel.send({ chatId: `whatsapp:${ANN}`, messageId: 'out3', text: '', file: png });
    const sends = socket.calls.filter((c) => c.method === 'sendMessage').map((c) => c.args);
    expect(sends[0]).toEqual([
      GROUP,
      { text: '*Hi* ~no~' },
      { messageId: expect.stringMatching(/^NCLW[0-9A-F]{20}$/) },
    ]);
    expect(sends[1]?.[1]).toMatchObject({
      document: pdf.bytes,
      fileName: 'r.pdf',
      caption: 'the _report_',
    });
    expect(sends[2]?.[1]).toMatchObject({ image: png.bytes, mimetype: 'image/png' });
  });

  it('a failed part is retried alone, with the same id (parts already sent are not sent again)', async () => {
    h = await startChannel();
    await openChannel(h);
    const socket = h.lib.last();
    const text = `${'a'.repeat(4000)}\n\n${'b'.repeat(4000)}`;
    // The first part goes; the second fails once (the socket dropped).
    const sendMessage = socket.sendMessage.bind(socket);
    let n = 0;
    socket.sendMessage = async (...args) => {
      const result = await sendMessage(...args);
      if (n++ === 1) throw new Error('Connection Closed');
      return result;
    };
    await expect(
      h.channel.send({ chatId: `whatsapp:${ANN}`, messageId: 'long', text }),
    ).rejects.toThrow();
    await h.channel.send({ chatId: `whatsapp:${ANN}`, messageId: 'long', text });
    const firsts = socket.calls
      .filter((c) => c.method === 'sendMessage')
      .map(
        (c) =>
          ((c.args[1] as { text: string }).text[0] ?? '') +
          (c.args[2] as { messageId: string }).messageId.slice(-4),
      );
    // a once; b twice (the failed try and the retry) with the same id, so WhatsApp sees one.
    expect(firsts.map((f) => f[0])).toEqual(['a', 'b', 'b']);
    expect(firsts[1]).toBe(firsts[2]);
  });

  it('typing is WhatsApp presence: composing while on (renewed), paused when off', async () => {
    h = await startChannel();
    await openChannel(h);
    const socket = h.lib.last();
    await h.channel.setTyping(`whatsapp:${ANN}`, true);
    await until(() => socket.calls.filter((c) => c.method === 'sendPresenceUpdate').length >= 2);
    await h.channel.setTyping(`whatsapp:${ANN}`, false);
    const presence = socket.calls
      .filter((c) => c.method === 'sendPresenceUpdate')
      .map((c) => c.args);
    expect(presence[0]).toEqual(['composing', ANN]);
    expect(presence.at(-1)).toEqual(['paused', ANN]);
  });
});
