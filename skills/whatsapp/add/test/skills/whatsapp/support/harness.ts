/**
 * The real WhatsApp adapter over a scripted socket (see scripted-socket.ts for why), with a
 * temporary auth directory and the host's side recorded: received messages, seen chats,
 * health changes, what was printed for the terminal and every log line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../../../src/channels/channel.js';
import { WhatsAppChannel, DEFAULT_OPTIONS } from '../../../../src/channels/whatsapp/channel.js';
import type { LinkMethod } from '../../../../src/channels/whatsapp/settings.js';
import { scriptedLibrary, type ScriptedLibrary } from './scripted-socket.js';

export const ACCOUNT = '4915112345678';
export const ME = `${ACCOUNT}@s.whatsapp.net`;

export interface Harness {
  channel: WhatsAppChannel;
  lib: ScriptedLibrary;
  home: string;
  authDir: string;
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  printed: string[];
  logs: string[];
  close(): Promise<void>;
}

export async function startChannel(options: { linkMethod?: LinkMethod } = {}): Promise<Harness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-wa-'));
  const authDir = path.join(home, 'whatsapp', 'auth');
  const lib = scriptedLibrary();
  const received: InboundMessage[] = [];
  const seen: SeenChat[] = [];
  const health: ChannelHealth[] = [];
  const printed: string[] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const channel = new WhatsAppChannel(
    { account: ACCOUNT, linkMethod: options.linkMethod ?? 'qr', authDir },
    {
      log: pino({ level: 'debug' }, sink),
      receive: async (_channel, message) => void received.push(message),
      chatSeen: (_channel, chat) => void seen.push(chat),
      healthChanged: (_channel, h) => void health.push(h),
      print: (text) => void printed.push(text),
    },
    {
      ...DEFAULT_OPTIONS,
      backoff: { baseMs: 40, maxMs: 320 },
      random: () => 0.5,
      typingRefreshMs: 100,
      library: lib.library,
    },
  );
  await channel.start();
  await until(() => lib.sockets.length > 0);
  return {
    channel,
    lib,
    home,
    authDir,
    received,
    seen,
    health,
    printed,
    logs,
    async close() {
      await channel.stop();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Logs the scripted socket in and opens it (a linked device reconnecting). */
export async function openChannel(h: Harness): Promise<void> {
  h.lib.last().login(ACCOUNT, '99887766');
  h.lib.last().open();
  await until(() => h.channel.health().state === 'connected');
}

export async function until<T>(
  check: () => T | undefined | null | false | 0 | '',
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}
