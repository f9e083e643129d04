/**
 * Attachments through `Conversations.receive`, over a real SQLite file and a real inbox folder:
 * a message with only a photo is accepted, saved, described in the prompt and its image handed
 * to the run; unregistered chats and dropped senders never cause a fetch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConversations } from '../../test/support/conversations.js';
import type { InboundAttachment } from '../channels/channel.js';
import { silentLogger } from '../log.js';
import type { AgentRun } from '../runs/agent-run.js';
import { SandboxLimiter } from '../runs/limiter.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { RunnerToHost } from '../shared/protocol.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore, SessionStore } from '../store/groups.js';
import { MessageStore } from '../store/messages.js';
import { PairingStore } from '../store/pairing.js';
import { saveAttachments } from './attachments.js';
import { Conversations } from './service.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('Conversations with attachments', () => {
  let dir: string;
  let db: Db;
  let conversations: Conversations;
  let messages: MessageStore;
  let groups: GroupStore;
  let starts: { prompt: string; images: readonly string[] | undefined }[];
  let fetches: number;

  const photo = (): InboundAttachment => ({
    kind: 'photo',
    mime: 'image/png',
    async fetch() {
      fetches += 1;
      return PNG;
    },
  });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-conv-att-'));
    db = openDb(path.join(dir, 'test.db'));
    messages = new MessageStore(db);
    groups = new GroupStore(db);
    starts = [];
    fetches = 0;
    const log = silentLogger();
    conversations = testConversations({
      pairing: new PairingStore(db),
      limiter: new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 }),
      groups,
      messages,
      sessions: new SessionStore(db),
      startRun: (_group, prompt, _signal, images): AgentRun => {
        starts.push({ prompt, images });
        const events = new AsyncQueue<RunnerToHost>();
        events.end();
        return {
          runId: 'r1',
          events,
          send: () => true,
          close: () => {},
          finished: Promise.resolve({ exitCode: 0, signal: null }),
        };
      },
      saveAttachments: (group, message) =>
        saveAttachments(
          {
            groupDir: path.join(dir, group.folder),
            owner: undefined,
            maxBytes: 1024,
            timezone: 'UTC',
            alreadyStored: (chatId, id) => messages.has(chatId, id),
            log,
          },
          message,
          new AbortController().signal,
        ),
    }).conversations;
    groups.ensure(
      { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
      new Date(),
    );
  });

  afterEach(async () => {
    await conversations.shutdown();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const send = (
    chatId: string,
    text: string,
    attachments: InboundAttachment[],
    senderId = 'owner',
  ) =>
    conversations.receive('web', {
      chatId,
      chatName: chatId,
      id: 'p1',
      ts: Date.UTC(2026, 4, 1),
      senderId,
      senderName: 'Owner',
      text,
      attachments,
    });

  it('accepts a photo without text: saved, described, and shown to the model', async () => {
    await send('web:main', '', [photo()]);
    const path1 = '/workspace/group/inbox/2026-05-01/p1-photo.png';
    expect(fs.readFileSync(path.join(dir, 'main', 'inbox', '2026-05-01', 'p1-photo.png'))).toEqual(
      PNG,
    );
    expect(messages.history('web:main', 10)[0]?.attachments).toEqual([
      { kind: 'photo', path: path1, mime: 'image/png', size: PNG.length, name: '' },
    ]);
    while (starts.length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(starts[0]?.prompt).toContain(
      `<attachment kind="photo" path="${path1}" type="image/png"`,
    );
    expect(starts[0]?.images).toEqual([path1]);
  });

  it('a re-delivery of the message saves nothing twice', async () => {
    await send('web:main', '', [photo()]);
    await send('web:main', '', [photo()]);
    expect(fetches).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'main', 'inbox', '2026-05-01'))).toEqual(['p1-photo.png']);
  });

  it('an empty message without files is still refused', async () => {
    await expect(send('web:main', '  ', [])).rejects.toThrow(/empty/);
  });

  it('an unregistered chat or a dropped sender never fetches anything', async () => {
    await send('tg:999', 'hi', [photo()]);
    groups.setSenderPolicy('main', { allow: 'owner', mode: 'drop' });
    await send('web:main', 'hi', [photo()], 'stranger');
    expect(fetches).toBe(0);
    expect(fs.existsSync(path.join(dir, 'main'))).toBe(false);
  });
});
