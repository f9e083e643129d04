/**
 * The real WhatsApp adapter over a scripted socket (see scripted-socket.ts for why), with a
 * temporary auth directory and the host's side recorded: received messages, seen chats,
 * health changes, what was printed for the terminal and every log line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WhatsAppChannel, DEFAULT_OPTIONS } from '../../../../src/channels/whatsapp/channel.js';
import type { LinkMethod } from '../../../../src/channels/whatsapp/settings.js';
import { scriptedLibrary, type ScriptedLibrary } from './scripted-socket.js';
import {
  recordHost,
  until as untilEvery,
  type HostRecorder,
} from '../../../support/channel-harness.js';

export const ACCOUNT = '4915112345678';
export const ME = `${ACCOUNT}@s.whatsapp.net`;

/** Polls every 10 ms until `check` returns a value (or throws after `timeoutMs`). */
export const until = <T>(check: () => T | undefined | null | false | 0 | '', timeoutMs = 5_000) =>
  untilEvery(check, timeoutMs, 10);

export interface Harness extends HostRecorder {
  channel: WhatsAppChannel;
  lib: ScriptedLibrary;
  home: string;
  authDir: string;
  printed: string[];
  close(): Promise<void>;
}

export async function startChannel(options: { linkMethod?: LinkMethod } = {}): Promise<Harness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-wa-'));
  const authDir = path.join(home, 'whatsapp', 'auth');
  const lib = scriptedLibrary();
  const host = recordHost();
  const printed: string[] = [];
  const channel = new WhatsAppChannel(
    { account: ACCOUNT, linkMethod: options.linkMethod ?? 'qr', authDir },
    {
      ...host.deps,
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
    ...host,
    printed,
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
