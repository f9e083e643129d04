/**
 * The library boundary: the few parts of a Baileys socket the channel uses, as an interface, and
 * the real implementation (`loadBaileys`, imported only when the channel starts). Tests give the
 * channel a scripted socket through the same interface: WhatsApp's wire protocol pins its
 * server certificates, so no local server can stand in for WhatsApp (see SKILL.md).
 */
import type {
  AnyMessageContent,
  AuthenticationState,
  ConnectionState,
  MiscMessageGenerationOptions,
  WAMessage,
  WAPresence,
} from 'baileys';
import type { Logger } from '../../log.js';
import type { AuthCodec } from './auth-store.js';

export interface WaEventMap {
  'connection.update': Partial<ConnectionState>;
  'creds.update': unknown;
  'messages.upsert': { messages: WAMessage[]; type: 'append' | 'notify' };
}

export interface WaSocket {
  ev: { on<K extends keyof WaEventMap>(event: K, listener: (arg: WaEventMap[K]) => void): void };
  /** The account once connected (`4915…:7@s.whatsapp.net`, and its LID). */
  readonly user: { id: string; lid?: string | undefined } | undefined;
  sendMessage(
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, jid?: string): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  groupMetadata(jid: string): Promise<{ subject: string }>;
  /** The media of a message, as a stream of bytes (Baileys' downloadMediaMessage). */
  downloadMedia(message: WAMessage): Promise<AsyncIterable<Uint8Array>>;
  end(error: Error | undefined): void;
}

export interface WaLibrary {
  codec: AuthCodec;
  connect(auth: AuthenticationState, log: Logger): WaSocket;
}

/** The real Baileys, loaded on demand (it is large; the host starts faster without it). */
export async function loadBaileys(): Promise<WaLibrary> {
  const b = await import('baileys');
  const makeWASocket = b.makeWASocket;
  return {
    codec: {
      initAuthCreds: b.initAuthCreds,
      replacer: (k, v) => b.BufferJSON.replacer(k, v),
      reviver: (k, v) => b.BufferJSON.reviver(k, v),
      appStateKey: (v) => b.proto.Message.AppStateSyncKeyData.fromObject(v as object),
    },
    connect(auth, log) {
      // Baileys logs much and at length; only its errors reach the host log.
      const logger = log.child({ component: 'baileys' }, { level: 'error' });
      const sock = makeWASocket({
        auth: { creds: auth.creds, keys: b.makeCacheableSignalKeyStore(auth.keys, logger) },
        logger,
        browser: b.Browsers.ubuntu('Chrome'),
        markOnlineOnConnect: false,
        syncFullHistory: false,
        shouldSyncHistoryMessage: () => false,
        generateHighQualityLinkPreview: false,
      });
      return {
        ev: sock.ev,
        get user() {
          return sock.user;
        },
        sendMessage: (jid, content, options) => sock.sendMessage(jid, content, options),
        sendPresenceUpdate: (type, jid) => sock.sendPresenceUpdate(type, jid),
        requestPairingCode: (phone) => sock.requestPairingCode(phone),
        groupMetadata: (jid) => sock.groupMetadata(jid),
        downloadMedia: (message) =>
          b.downloadMediaMessage(
            message,
            'stream',
            {},
            {
              logger,
              reuploadRequest: (m) => sock.updateMediaMessage(m),
            },
          ),
        end: (error) => sock.end(error),
      };
    },
  };
}
