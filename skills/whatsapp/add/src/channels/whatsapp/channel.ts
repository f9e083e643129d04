/**
 * The WhatsApp channel as a linked device of the user's own account (Baileys): owns the
 * `whatsapp:<jid>` chats (people, groups, and the "message yourself" chat). Inbound, Baileys'
 * messages become messages for the host (media downloaded when the host asks, bounded);
 * outbound, the outbox is delivered through the socket; "typing…" is WhatsApp presence.
 * The connection itself (linking, backoff, failures) is in connection.ts.
 */
import type { WAMessage } from 'baileys';
import { NanoClawError, UserError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type {
  Channel,
  ChannelDeps,
  ChannelHealth,
  InboundMessage,
  OutboundMessage,
} from '../channel.js';
import { Connection } from './connection.js';
import { qrcodeRenderer, type QrRenderer } from './link.js';
import {
  bareJid,
  CHAT_PREFIX,
  interpret,
  jidOf,
  type MediaRef,
  type ParsedMessage,
} from './message.js';
import { ChatClock } from './ordering.js';
import { Sender } from './send.js';
import type { WhatsAppSettings } from './settings.js';
import { loadBaileys, type WaLibrary, type WaSocket } from './socket.js';

export const CHANNEL_NAME = 'whatsapp';

export type WhatsAppDeps = Pick<ChannelDeps, 'receive' | 'chatSeen' | 'healthChanged'> & {
  log: Logger;
  /** Where the QR code for the terminal goes (the host's stderr). */
  print(text: string): void;
};

export interface WhatsAppOptions {
  backoff: { baseMs: number; maxMs: number };
  random: () => number;
  /** WhatsApp shows "typing…" for about 25 s: renewed this often while the agent works. */
  typingRefreshMs: number;
  /** The library boundary (tests give a scripted socket here). */
  library: () => Promise<WaLibrary>;
  qr: () => Promise<QrRenderer>;
}

export const DEFAULT_OPTIONS: WhatsAppOptions = {
  backoff: { baseMs: 2000, maxMs: 5 * 60_000 },
  random: Math.random,
  typingRefreshMs: 10_000,
  library: loadBaileys,
  qr: qrcodeRenderer,
};

/** A file over the caller's byte limit (announced or while downloading). */
export class MediaTooLargeError extends NanoClawError {}

const GROUP_NAMES_LIMIT = 1000;

export class WhatsAppChannel implements Channel {
  readonly name = CHANNEL_NAME;
  private readonly connection: Connection;
  private readonly sender: Sender;
  private readonly clock = new ChatClock();
  private readonly groupNames = new Map<string, string>();
  private readonly typing = new Map<string, NodeJS.Timeout>();
  private health_: ChannelHealth = { state: 'connecting' };
  /** Messages are handled one at a time, in the order WhatsApp delivered them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: WhatsAppSettings,
    private readonly deps: WhatsAppDeps,
    private readonly options: WhatsAppOptions = DEFAULT_OPTIONS,
  ) {
    this.connection = new Connection({
      settings,
      log: deps.log,
      library: options.library,
      qr: options.qr,
      machine: { backoff: options.backoff, random: options.random },
      print: deps.print,
      health: (h) => this.reportHealth(h),
      messages: (messages, socket) => {
        for (const m of messages) this.queue = this.queue.then(() => this.handle(m, socket));
      },
    });
    this.sender = new Sender(() => this.connection.open);
  }

  ownsChat(chatId: string): boolean {
    return chatId.startsWith(CHAT_PREFIX);
  }

  /** Connects in the background: linking and failures show in health(), never throw. */
  async start(): Promise<void> {
    this.connection.start();
  }

  health(): ChannelHealth {
    return this.health_;
  }

  async send(message: OutboundMessage): Promise<void> {
    this.stopTyping(message.chatId);
    await this.sender.send(message);
  }

  async setTyping(chatId: string, on: boolean): Promise<void> {
    const jid = jidOf(chatId);
    if (!jid) return;
    if (!on) {
      if (!this.typing.has(chatId)) return;
      this.stopTyping(chatId);
      await this.presence('paused', jid);
      return;
    }
    if (this.typing.has(chatId)) return;
    this.typing.set(
      chatId,
      setInterval(() => void this.presence('composing', jid), this.options.typingRefreshMs),
    );
    await this.presence('composing', jid);
  }

  async stop(): Promise<void> {
    for (const chatId of [...this.typing.keys()]) this.stopTyping(chatId);
    this.connection.stop();
    await this.queue;
  }

  private stopTyping(chatId: string): void {
    clearInterval(this.typing.get(chatId));
    this.typing.delete(chatId);
  }

  private async presence(type: 'composing' | 'paused', jid: string): Promise<void> {
    await this.connection.open?.sendPresenceUpdate(type, jid).catch((error: unknown) => {
      this.deps.log.debug({ err: errorMessage(error) }, 'typing presence failed');
    });
  }

  private async groupName(jid: string, socket: WaSocket): Promise<void> {
    if (!jid.endsWith('@g.us') || this.groupNames.has(jid)) return;
    const subject = await socket.groupMetadata(jid).then(
      (m) => m.subject,
      () => undefined,
    );
    if (!subject) return;
    this.groupNames.set(jid, subject);
    const oldest = this.groupNames.keys().next().value;
    if (this.groupNames.size > GROUP_NAMES_LIMIT && oldest !== undefined)
      this.groupNames.delete(oldest);
  }

  private async handle(raw: WAMessage, socket: WaSocket): Promise<void> {
    const user = socket.user;
    if (!user) return;
    const me = { pn: bareJid(user.id), ...(user.lid ? { lid: bareJid(user.lid) } : {}) };
    if (raw.key.remoteJid) await this.groupName(raw.key.remoteJid, socket);
    const meaning = interpret(raw, me, (jid) => this.groupNames.get(jid));
    if (meaning.kind === 'ignore') {
      if (meaning.chat) this.deps.chatSeen?.(CHANNEL_NAME, meaning.chat);
      this.deps.log.debug({ why: meaning.why }, 'whatsapp message skipped');
      return;
    }
    const m = meaning.message;
    this.deps.chatSeen?.(CHANNEL_NAME, { chatId: m.chatId, name: m.chatName, kind: m.chatKind });
    try {
      await this.deps.receive(CHANNEL_NAME, this.inbound(m, raw));
    } catch (error) {
      // WhatsApp does not deliver again: a failure here is logged, the next message goes on.
      const refused = error instanceof UserError;
      this.deps.log[refused ? 'info' : 'error'](
        { chat: m.chatId, err: errorMessage(error) },
        refused ? 'message refused' : 'whatsapp message not stored',
      );
    }
  }

  private inbound(m: ParsedMessage, raw: WAMessage): InboundMessage {
    const { file, ...rest } = m;
    const message: InboundMessage = { ...rest, ts: this.clock.next(m.chatId, m.ts) };
    if (file) message.attachments = [this.attachment(file, raw)];
    return message;
  }

  private attachment(ref: MediaRef, raw: WAMessage) {
    return {
      kind: ref.kind,
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      ...(ref.mime !== undefined ? { mime: ref.mime } : {}),
      ...(ref.size !== undefined ? { size: ref.size } : {}),
      fetch: (maxBytes: number, signal: AbortSignal) => this.download(ref, raw, maxBytes, signal),
    };
  }

  private async download(
    ref: MediaRef,
    raw: WAMessage,
    maxBytes: number,
    signal: AbortSignal,
  ): Promise<Buffer> {
    const tooLarge = () =>
      new MediaTooLargeError(
        `The ${ref.kind} is larger than the limit of ${maxBytes} bytes; it was not downloaded.`,
      );
    if (ref.size !== undefined && ref.size > maxBytes) throw tooLarge();
    const socket = this.connection.open;
    if (!socket)
      throw new NanoClawError('WhatsApp is not connected: the file cannot be downloaded now.');
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of await socket.downloadMedia(raw)) {
      signal.throwIfAborted();
      total += chunk.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  private reportHealth(health: ChannelHealth): void {
    this.health_ = health;
    const log = this.deps.log;
    if (health.state === 'connected') log.info('whatsapp connected');
    else if (health.state === 'reconnecting')
      log.warn({ reason: health.reason }, 'whatsapp reconnecting');
    else if (health.state === 'failed')
      log.error({ reason: health.reason, fix: health.fix }, 'whatsapp failed');
    this.deps.healthChanged?.(CHANNEL_NAME, health);
  }
}
