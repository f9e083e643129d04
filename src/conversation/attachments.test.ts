/**
 * Attachments in, on a real filesystem: names from strangers end up as safe files inside the
 * group's inbox, a planted symlink cannot redirect the write, and a failed or oversized fetch
 * becomes a note instead of an error.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InboundAttachment, InboundMessage } from '../channels/channel.js';
import { silentLogger } from '../log.js';
import { attachmentFileName, inboxFolder, saveAttachments, type InboxDeps } from './attachments.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const ts = Date.UTC(2026, 0, 31, 23, 30);

const file = (name: string | undefined, bytes: Buffer, extra: Partial<InboundAttachment> = {}) => {
  const fetched: number[] = [];
  const attachment: InboundAttachment = {
    kind: 'document',
    ...(name === undefined ? {} : { name }),
    async fetch(maxBytes) {
      fetched.push(maxBytes);
      if (bytes.length > maxBytes) throw new Error(`more than ${maxBytes} bytes`);
      return bytes;
    },
    ...extra,
  };
  return { attachment, fetched };
};

const message = (attachments: InboundAttachment[], id = 'm1'): InboundMessage => ({
  chatId: 'tg:1',
  chatName: 'Chat',
  id,
  ts,
  senderId: 'u1',
  senderName: 'Alice',
  text: '',
  attachments,
});

describe('attachmentFileName', () => {
  it.each([
    ['../../evil', 'm1-evil.bin'],
    ['.bashrc', 'm1-bashrc.bin'],
    ['..', 'm1-document.bin'],
    ['', 'm1-document.bin'],
    ['C:\\Users\\x\\report final.PDF', 'm1-report_final.pdf'],
    ['a/b/.hidden.txt', 'm1-hidden.txt'],
    ['résumé (1).docx', 'm1-r_sum_1.docx'],
  ])('%j is saved as %j', (name, expected) => {
    expect(attachmentFileName('m1', { kind: 'document', name })).toBe(expected);
  });

  it('takes the extension from the type, then the kind, when the name has none', () => {
    expect(attachmentFileName('m1', { kind: 'document', mime: 'application/pdf' })).toBe(
      'm1-document.pdf',
    );
    expect(attachmentFileName('m1', { kind: 'photo' })).toBe('m1-photo.jpg');
    expect(attachmentFileName('m1', { kind: 'voice', mime: 'audio/ogg' })).toBe('m1-voice.ogg');
  });

  it('bounds the length and cleans the message id', () => {
    const name = attachmentFileName('../x/'.repeat(30), {
      kind: 'document',
      name: 'a'.repeat(300),
    });
    expect(name.length).toBeLessThanOrEqual(40 + 1 + 80 + 4);
    expect(name).not.toContain('/');
    expect(name).not.toMatch(/^\./);
  });
});

describe('inboxFolder', () => {
  it('is the date in the user time zone', () => {
    expect(inboxFolder(ts, 'UTC')).toBe('inbox/2026-01-31');
    expect(inboxFolder(ts, 'Europe/Berlin')).toBe('inbox/2026-02-01');
  });
});

describe('saveAttachments', () => {
  let base: string;
  let deps: InboxDeps;
  const signal = new AbortController().signal;

  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-inbox-'));
    deps = {
      groupDir: path.join(base, 'group'),
      owner: undefined,
      maxBytes: 1024,
      timezone: 'UTC',
      alreadyStored: (_chat, id) => id === 'stored',
      log: silentLogger(),
    };
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  const inbox = () => path.join(deps.groupDir, 'inbox', '2026-01-31');

  it('saves hostile names inside the inbox and says where, for the agent', async () => {
    const names = ['../../evil', '.bashrc', `${'x'.repeat(300)}.png`];
    const saved = await saveAttachments(
      deps,
      message(names.map((n) => file(n, PNG).attachment)),
      signal,
    );
    expect(saved.map((s) => s.path)).toEqual([
      '/workspace/group/inbox/2026-01-31/m1-evil.bin',
      '/workspace/group/inbox/2026-01-31/m1-bashrc.bin',
      `/workspace/group/inbox/2026-01-31/m1-${'x'.repeat(80)}.png`,
    ]);
    expect(saved.map((s) => s.name)).toEqual(names);
    expect(saved.every((s) => s.mime === 'image/png' && s.size === PNG.length)).toBe(true);
    expect(fs.readdirSync(inbox()).sort()).toHaveLength(3);
    expect(fs.existsSync(path.join(base, 'evil'))).toBe(false);
    expect(fs.existsSync(path.join(deps.groupDir, '.bashrc'))).toBe(false);
  });

  it('a re-delivered message fetches nothing again', async () => {
    const again = file('a.txt', PNG);
    expect(await saveAttachments(deps, message([again.attachment], 'stored'), signal)).toEqual([]);
    expect(again.fetched).toEqual([]);
  });

  it('gives a second file of the same name a suffix, never overwriting', async () => {
    const a = file('a.txt', Buffer.from('one')).attachment;
    const b = file('a.txt', Buffer.from('two')).attachment;
    const saved = await saveAttachments(deps, message([a, b]), signal);
    expect(saved.map((s) => path.basename(s.path))).toEqual(['m1-a.txt', 'm1-a-2.txt']);
    expect(fs.readFileSync(path.join(inbox(), 'm1-a.txt'), 'utf8')).toBe('one');
  });

  it('an oversized file is not fetched (announced) or not kept (actual): a note instead', async () => {
    const announced = file('big.mp4', Buffer.alloc(10), { kind: 'video', size: 30 * 1024 * 1024 });
    const actual = file('big2.bin', Buffer.alloc(2048));
    const saved = await saveAttachments(
      deps,
      message([announced.attachment, actual.attachment]),
      signal,
    );
    expect(announced.fetched).toEqual([]);
    expect(actual.fetched).toEqual([1024]);
    expect(saved[0]).toMatchObject({ path: '', kind: 'video', name: 'big.mp4' });
    expect(saved[0]?.note).toBe('a 30 MB video was not saved: over ATTACHMENT_MAX_MB (1 KB)');
    expect(saved[1]?.note).toMatch(/could not be downloaded \(more than 1024 bytes\)/);
    expect(fs.existsSync(inbox())).toBe(false);
  });

  it('a planted symlink for the inbox cannot redirect the write', async () => {
    const elsewhere = path.join(base, 'elsewhere');
    fs.mkdirSync(elsewhere);
    fs.mkdirSync(deps.groupDir);
    fs.symlinkSync(elsewhere, path.join(deps.groupDir, 'inbox'));
    const saved = await saveAttachments(deps, message([file('a.txt', PNG).attachment]), signal);
    expect(saved[0]?.path).toBe('');
    expect(saved[0]?.note).toMatch(/symlink/);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
  });

  it('a day folder planted as a file is refused, not written through', async () => {
    fs.mkdirSync(path.join(deps.groupDir, 'inbox'), { recursive: true });
    fs.writeFileSync(path.join(deps.groupDir, 'inbox', '2026-01-31'), 'planted');
    const saved = await saveAttachments(deps, message([file('a.txt', PNG).attachment]), signal);
    expect(saved[0]?.note).toMatch(/passes through a regular file/);
  });
});
