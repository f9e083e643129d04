/**
 * Pure: what one Baileys message (`messages.upsert`) means for the host. Chat ids are
 * `whatsapp:<jid>` (`…@s.whatsapp.net` for people, `…@g.us` for groups; a LID chat uses the
 * phone-number jid WhatsApp sends alongside when there is one); sender ids come from the
 * message key, never from text. This device's own replies carry ids starting with
 * BOT_ID_PREFIX and are skipped; what the account owner types on the phone counts as the bot's
 * side (context, never a wake-up) except in the "message yourself" chat, where it is the
 * owner talking to the agent.
 */
import type { WAMessage, proto } from 'baileys';
import type { AttachmentKind, SeenChat } from '../channel.js';

export const CHAT_PREFIX = 'whatsapp:';
/** Ids of the messages this channel sends (WhatsApp accepts client-chosen ids). */
export const BOT_ID_PREFIX = 'NCLW';

export interface Identity {
  /** The account's phone-number jid (`4915…@s.whatsapp.net`). */
  pn: string;
  /** Its LID jid (`…@lid`), when WhatsApp gave one. */
  lid?: string;
}

export interface MediaRef {
  kind: AttachmentKind;
  mime?: string;
  name?: string;
  size?: number;
}

export interface ParsedMessage {
  chatId: string;
  chatName: string;
  id: string;
  ts: number;
  senderId: string;
  senderName: string;
  text: string;
  chatKind: 'dm' | 'group';
  mentionsBot: boolean;
  repliesToBot: boolean;
  fromBot: boolean;
  file?: MediaRef;
}

export type Meaning =
  | { kind: 'message'; message: ParsedMessage; jid: string }
  | { kind: 'ignore'; why: string; chat?: SeenChat };

export const userOf = (jid: string): string => (jid.split('@')[0] ?? '').split(':')[0] ?? '';
const serverOf = (jid: string): string => jid.split('@')[1] ?? '';
/** The jid without a device part (`4915…:12@s.whatsapp.net` → `4915…@s.whatsapp.net`). */
export const bareJid = (jid: string): string => `${userOf(jid)}@${serverOf(jid)}`;
const sameUser = (a: string | null | undefined, b: string | undefined) =>
  !!a && !!b && userOf(a) === userOf(b) && serverOf(a) === serverOf(b);
const isMe = (jid: string | null | undefined, me: Identity) =>
  sameUser(jid, me.pn) || sameUser(jid, me.lid);

/** A phone-number jid in place of a LID one when WhatsApp sent both. */
function preferPn(jid: string, alt: string | null | undefined): string {
  return serverOf(jid) === 'lid' && alt && serverOf(alt) === 's.whatsapp.net'
    ? bareJid(alt)
    : bareJid(jid);
}

/** The message inside the wrappers WhatsApp puts around some (disappearing, view once…). */
export function unwrap(content: proto.IMessage | null | undefined): proto.IMessage | undefined {
  let m = content ?? undefined;
  for (let i = 0; i < 5 && m; i++) {
    const inner =
      m.ephemeralMessage?.message ??
      m.viewOnceMessage?.message ??
      m.viewOnceMessageV2?.message ??
      m.viewOnceMessageV2Extension?.message ??
      m.documentWithCaptionMessage?.message;
    if (!inner) return m;
    m = inner;
  }
  return m;
}

const num = (v: number | { toNumber(): number } | null | undefined): number | undefined =>
  v === null || v === undefined ? undefined : typeof v === 'number' ? v : v.toNumber();

function mediaOf(m: proto.IMessage): MediaRef | undefined {
  const ref = (
    kind: AttachmentKind,
    x: { mimetype?: string | null; fileLength?: number | { toNumber(): number } | null },
    name?: string | null,
  ): MediaRef => {
    const size = num(x.fileLength);
    return {
      kind,
      ...(x.mimetype ? { mime: x.mimetype } : {}),
      ...(name ? { name } : {}),
      ...(size !== undefined ? { size } : {}),
    };
  };
  if (m.imageMessage) return ref('photo', m.imageMessage);
  if (m.videoMessage) return ref('video', m.videoMessage);
  if (m.audioMessage) return ref(m.audioMessage.ptt ? 'voice' : 'audio', m.audioMessage);
  if (m.documentMessage) return ref('document', m.documentMessage, m.documentMessage.fileName);
  if (m.stickerMessage) return ref('sticker', m.stickerMessage);
  return undefined;
}

function textOf(m: proto.IMessage): string {
  return (
    m.conversation ??
    m.extendedTextMessage?.text ??
    m.imageMessage?.caption ??
    m.videoMessage?.caption ??
    m.documentMessage?.caption ??
    ''
  );
}

function contextOf(m: proto.IMessage): proto.IContextInfo | undefined {
  return (
    m.extendedTextMessage?.contextInfo ??
    m.imageMessage?.contextInfo ??
    m.videoMessage?.contextInfo ??
    m.documentMessage?.contextInfo ??
    m.audioMessage?.contextInfo ??
    undefined
  );
}

export function interpret(
  msg: WAMessage,
  me: Identity,
  groupName: (jid: string) => string | undefined,
): Meaning {
  const key = msg.key;
  const remote = key.remoteJid;
  if (!remote || !key.id) return { kind: 'ignore', why: 'no chat or id' };
  const server = serverOf(remote);
  if (!['s.whatsapp.net', 'lid', 'g.us'].includes(server)) {
    return { kind: 'ignore', why: `not a chat (${server})` };
  }
  const isGroup = server === 'g.us';
  const jid = isGroup ? remote : preferPn(remote, key.remoteJidAlt);
  const chatId = `${CHAT_PREFIX}${jid}`;
  const selfChat = !isGroup && isMe(jid, me);
  const chatName = isGroup
    ? (groupName(jid) ?? 'WhatsApp group')
    : selfChat
      ? 'Message yourself'
      : key.fromMe
        ? `+${userOf(jid)}`
        : (msg.pushName ?? `+${userOf(jid)}`);
  const chat: SeenChat = { chatId, name: chatName, kind: isGroup ? 'group' : 'dm' };
  if (key.fromMe && key.id.startsWith(BOT_ID_PREFIX))
    return { kind: 'ignore', why: 'our own reply', chat };
  const content = unwrap(msg.message);
  if (!content) return { kind: 'ignore', why: 'no content', chat };
  const file = mediaOf(content);
  const text = textOf(content);
  if (!file && !text.trim()) return { kind: 'ignore', why: 'nothing readable', chat };
  const sender = key.fromMe
    ? bareJid(me.pn)
    : isGroup
      ? preferPn(key.participant ?? '', key.participantAlt)
      : jid;
  const context = contextOf(content);
  const message: ParsedMessage = {
    chatId,
    chatName,
    id: key.id,
    ts: (num(msg.messageTimestamp) ?? 0) * 1000,
    senderId: `${CHAT_PREFIX}${sender}`,
    senderName: key.fromMe ? 'You' : (msg.pushName ?? `+${userOf(sender)}`),
    text,
    chatKind: isGroup ? 'group' : 'dm',
    mentionsBot: (context?.mentionedJid ?? []).some((j) => isMe(j, me)),
    repliesToBot: !!context?.stanzaId && isMe(context.participant, me),
    fromBot: !!key.fromMe && !selfChat,
    ...(file ? { file } : {}),
  };
  return { kind: 'message', message, jid };
}

/** The jid of a chat id (`whatsapp:…@g.us` → `…@g.us`), or undefined for another channel's. */
export function jidOf(chatId: string): string | undefined {
  if (!chatId.startsWith(CHAT_PREFIX)) return undefined;
  const jid = chatId.slice(CHAT_PREFIX.length);
  return /^[\w.-]+@(s\.whatsapp\.net|g\.us|lid)$/.test(jid) ? jid : undefined;
}
