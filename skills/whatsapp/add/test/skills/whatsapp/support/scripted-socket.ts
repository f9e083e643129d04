/**
 * A scripted stand-in for a Baileys socket, at the library boundary (src/channels/whatsapp/
 * socket.ts). WhatsApp's wire protocol checks that the server's certificate chains to
 * WhatsApp's own pinned root key (Baileys' noise handler), so no local server can play
 * WhatsApp: the tests drive the real adapter through this object instead. It is an
 * EventEmitter under `ev` emitting Baileys' events ('connection.update', 'creds.update',
 * 'messages.upsert') with Baileys' payload shapes, and records sendMessage,
 * sendPresenceUpdate, requestPairingCode and downloadMedia calls. The auth codec is the real
 * Baileys one (initAuthCreds, BufferJSON), so the auth files are what Baileys would read.
 */
import { EventEmitter } from 'node:events';
import type { AuthenticationState, WAMessage } from 'baileys';
import {
  loadBaileys,
  type WaLibrary,
  type WaSocket,
} from '../../../../src/channels/whatsapp/socket.js';

export interface SocketCall {
  method: 'sendMessage' | 'sendPresenceUpdate' | 'requestPairingCode' | 'downloadMedia' | 'end';
  args: unknown[];
}

export interface ScriptedSocket extends WaSocket {
  emitter: EventEmitter;
  calls: SocketCall[];
  auth: AuthenticationState;
  /** Sets who the socket is logged in as (Baileys sets `user` on open). */
  login(pn: string, lid?: string): void;
  open(): void;
  close(statusCode?: number, message?: string): void;
  qr(code: string): void;
  upsert(messages: WAMessage[], type?: 'notify' | 'append'): void;
  /** The bytes downloadMedia serves for a message id. */
  media: Map<string, Buffer>;
  /** The next sendMessage calls fail with this error (count). */
  failSends(error: Error, count?: number): void;
}

export interface ScriptedLibrary {
  library: () => Promise<WaLibrary>;
  sockets: ScriptedSocket[];
  last(): ScriptedSocket;
}

function scriptedSocket(auth: AuthenticationState): ScriptedSocket {
  const emitter = new EventEmitter();
  const calls: SocketCall[] = [];
  const media = new Map<string, Buffer>();
  const failures: Error[] = [];
  let user: { id: string; lid?: string } | undefined;
  let sent = 0;
  const socket: ScriptedSocket = {
    emitter,
    calls,
    auth,
    media,
    ev: emitter as unknown as WaSocket['ev'],
    get user() {
      return user;
    },
    async sendMessage(jid, content, options) {
      calls.push({ method: 'sendMessage', args: [jid, content, options] });
      const failure = failures.shift();
      if (failure) throw failure;
      return {
        key: { remoteJid: jid, id: options?.messageId ?? `3EB0${sent++}`, fromMe: true },
      } as WAMessage;
    },
    async sendPresenceUpdate(type, jid) {
      calls.push({ method: 'sendPresenceUpdate', args: [type, jid] });
    },
    async requestPairingCode(phone) {
      calls.push({ method: 'requestPairingCode', args: [phone] });
      return 'ABCD1234';
    },
    async groupMetadata(jid) {
      return { subject: `Group ${jid.split('@')[0]}` };
    },
    async downloadMedia(message) {
      calls.push({ method: 'downloadMedia', args: [message.key.id] });
      const bytes = media.get(message.key.id ?? '') ?? Buffer.alloc(0);
      return (async function* () {
        // In 1 KiB chunks, like a stream: the adapter must stop early on a size cap.
        for (let i = 0; i < bytes.length; i += 1024) yield bytes.subarray(i, i + 1024);
      })();
    },
    end(error) {
      calls.push({ method: 'end', args: [error] });
    },
    login(pn, lid) {
      user = { id: `${pn}:7@s.whatsapp.net`, ...(lid ? { lid: `${lid}:7@lid` } : {}) };
    },
    open() {
      emitter.emit('connection.update', { connection: 'open' });
    },
    close(statusCode, message = 'Connection Closed') {
      const error = Object.assign(new Error(message), statusCode ? { output: { statusCode } } : {});
      emitter.emit('connection.update', {
        connection: 'close',
        lastDisconnect: { error, date: new Date() },
      });
    },
    qr(code) {
      emitter.emit('connection.update', { qr: code });
    },
    upsert(messages, type = 'notify') {
      emitter.emit('messages.upsert', { messages, type });
    },
    failSends(error, count = 1) {
      for (let i = 0; i < count; i++) failures.push(error);
    },
  };
  return socket;
}

/** The real codec with scripted sockets: every connect() makes a new one. */
export function scriptedLibrary(): ScriptedLibrary {
  const sockets: ScriptedSocket[] = [];
  return {
    sockets,
    last: () => {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket yet');
      return s;
    },
    library: async () => {
      const real = await loadBaileys();
      return {
        codec: real.codec,
        connect: (auth) => {
          const s = scriptedSocket(auth);
          sockets.push(s);
          return s;
        },
      };
    },
  };
}

let next = 1;

/** A message as Baileys hands it over in messages.upsert. */
export function waMessage(
  remoteJid: string,
  message: Record<string, unknown>,
  key: Record<string, unknown> = {},
  pushName = 'Ann',
): WAMessage {
  return {
    key: { remoteJid, id: `3EB0${String(next++).padStart(8, '0')}`, fromMe: false, ...key },
    message,
    messageTimestamp: 1_700_000_000,
    pushName,
  } as WAMessage;
}
