/**
 * Pure: what a Telegram update means for NanoClaw. The fields we read are parsed with zod
 * (anything else is ignored; a malformed update is skipped, never half-read). Sender identity
 * comes from Telegram's `from`, never from the text.
 */
import { z } from 'zod';
import type { AttachmentKind, SeenChat } from '../channel.js';

export const CHAT_PREFIX = 'telegram:';

const User = z.object({
  id: z.number().int(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const Chat = z.object({
  id: z.number().int(),
  type: z.string(),
  title: z.string().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const Entity = z.object({
  type: z.string(),
  offset: z.number().int().min(0),
  length: z.number().int().min(0),
  user: User.optional(),
});
const FileInfo = z.object({
  file_id: z.string().min(1),
  file_size: z.number().int().optional(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
});
const Photo = FileInfo.extend({ width: z.number(), height: z.number() });
const Sticker = FileInfo.extend({ is_animated: z.boolean(), is_video: z.boolean() });

const Message = z.object({
  message_id: z.number().int(),
  date: z.number().int(),
  chat: Chat,
  from: User.optional(),
  sender_chat: Chat.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(Entity).optional(),
  caption_entities: z.array(Entity).optional(),
  reply_to_message: z.object({ from: User.optional() }).optional(),
  photo: z.array(Photo).optional(),
  document: FileInfo.optional(),
  voice: FileInfo.optional(),
  audio: FileInfo.optional(),
  video: FileInfo.optional(),
  video_note: FileInfo.optional(),
  sticker: Sticker.optional(),
});
const Update = z.object({
  update_id: z.number().int(),
  message: Message.optional(),
  my_chat_member: z.object({ chat: Chat }).optional(),
});
type Message = z.infer<typeof Message>;
type Chat = z.infer<typeof Chat>;

/** The bot itself (from getMe). */
export interface BotIdentity {
  id: number;
  username: string;
}

/** A file to fetch later with getFile. */
export interface FileRef {
  kind: AttachmentKind;
  fileId: string;
  name?: string;
  mime?: string;
  size?: number;
}

export interface ParsedMessage {
  chatId: string;
  chatName: string;
  chatKind: 'dm' | 'group';
  id: string;
  ts: number;
  senderId: string;
  senderName: string;
  text: string;
  mentionsBot: boolean;
  repliesToBot: boolean;
  fromBot: boolean;
  files: FileRef[];
}

export type UpdateMeaning =
  | { kind: 'ignore'; chat?: SeenChat }
  | { kind: 'command'; command: 'start' | 'chatid'; chat: SeenChat; chatTarget: number }
  | { kind: 'message'; chat: SeenChat; message: ParsedMessage };

/**
 * Message ids, zero-padded: the store orders a chat's messages by (ts, id) as text, and
 * Telegram's timestamps have whole seconds, so "10" must not sort before "9" within one second.
 */
export function messageKey(messageId: number): string {
  return String(messageId).padStart(12, '0');
}

export function chatIdOf(id: number): string {
  return `${CHAT_PREFIX}${id}`;
}

/** `telegram:-100123` → -100123; undefined for anything else. */
export function telegramChatNumber(chatId: string): number | undefined {
  const m = /^telegram:(-?\d{1,20})$/.exec(chatId);
  const n = m ? Number(m[1]) : NaN;
  return Number.isSafeInteger(n) ? n : undefined;
}

const fullName = (p: { first_name?: string; last_name?: string; username?: string }) =>
  [p.first_name, p.last_name].filter(Boolean).join(' ') || (p.username ? `@${p.username}` : '');

function seenChat(chat: Chat): SeenChat {
  return {
    chatId: chatIdOf(chat.id),
    name: chat.title ?? (fullName(chat) || chatIdOf(chat.id)),
    kind: chat.type === 'private' ? 'dm' : 'group',
  };
}

function files(m: Message): FileRef[] {
  const out: FileRef[] = [];
  const add = (kind: AttachmentKind, f: z.infer<typeof FileInfo>, name?: string, mime?: string) =>
    out.push({
      kind,
      fileId: f.file_id,
      ...((f.file_name ?? name) ? { name: f.file_name ?? name } : {}),
      ...((f.mime_type ?? mime) ? { mime: f.mime_type ?? mime } : {}),
      ...(f.file_size !== undefined ? { size: f.file_size } : {}),
    });
  const largest = m.photo?.reduce((a, b) => (area(b) > area(a) ? b : a));
  if (largest) add('photo', largest, 'photo.jpg', 'image/jpeg');
  if (m.document) add('document', m.document);
  if (m.voice) add('voice', m.voice, 'voice.ogg', 'audio/ogg');
  if (m.audio) add('audio', m.audio);
  if (m.video) add('video', m.video, 'video.mp4');
  if (m.video_note) add('video', m.video_note, 'video-note.mp4', 'video/mp4');
  if (m.sticker) add('sticker', m.sticker, ...stickerFile(m.sticker));
  return out;
}

const area = (p: { width: number; height: number; file_size?: number }) =>
  p.file_size ?? p.width * p.height;

function stickerFile(s: z.infer<typeof Sticker>): [string, string] {
  if (s.is_animated) return ['sticker.tgs', 'application/x-tgsticker'];
  if (s.is_video) return ['sticker.webm', 'video/webm'];
  return ['sticker.webp', 'image/webp'];
}

function mentions(m: Message, text: string, bot: BotIdentity): boolean {
  const handle = `@${bot.username}`.toLowerCase();
  return (m.entities ?? m.caption_entities ?? []).some(
    (e) =>
      (e.type === 'mention' &&
        text.slice(e.offset, e.offset + e.length).toLowerCase() === handle) ||
      (e.type === 'text_mention' && e.user?.id === bot.id),
  );
}

/** `/start`, `/chatid` (also `/chatid@this_bot`) at the start; other bots' commands are text. */
function command(m: Message, text: string, bot: BotIdentity): 'start' | 'chatid' | undefined {
  const first = m.entities?.[0];
  if (!first || first.type !== 'bot_command' || first.offset !== 0) return undefined;
  const [name, target] = text.slice(1, first.length).toLowerCase().split('@');
  if (target !== undefined && target !== bot.username.toLowerCase()) return undefined;
  return name === 'start' || name === 'chatid' ? name : undefined;
}

function message(m: Message, bot: BotIdentity): ParsedMessage {
  const text = m.text ?? m.caption ?? '';
  const sender = m.from ?? m.sender_chat;
  return {
    chatId: chatIdOf(m.chat.id),
    chatName: seenChat(m.chat).name,
    chatKind: m.chat.type === 'private' ? 'dm' : 'group',
    id: messageKey(m.message_id),
    ts: m.date * 1000,
    senderId: sender ? chatIdOf(sender.id) : chatIdOf(m.chat.id),
    senderName: (m.from ? fullName(m.from) : m.sender_chat?.title) || 'unknown',
    text,
    mentionsBot: mentions(m, text, bot),
    repliesToBot: m.reply_to_message?.from?.id === bot.id,
    fromBot: m.from?.is_bot === true,
    files: files(m),
  };
}

export function interpretUpdate(raw: unknown, bot: BotIdentity): UpdateMeaning {
  const parsed = Update.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore' };
  const { message: m, my_chat_member: member } = parsed.data;
  if (!m) return member ? { kind: 'ignore', chat: seenChat(member.chat) } : { kind: 'ignore' };
  const chat = seenChat(m.chat);
  const cmd = m.text !== undefined ? command(m, m.text, bot) : undefined;
  if (cmd) return { kind: 'command', command: cmd, chat, chatTarget: m.chat.id };
  const parsedMessage = message(m, bot);
  if (!parsedMessage.text.trim() && parsedMessage.files.length === 0)
    return { kind: 'ignore', chat };
  return { kind: 'message', chat, message: parsedMessage };
}

/** The adapter's answers to commands (never stored as messages, never seen by the agent). */
export function commandReply(cmd: 'start' | 'chatid', chat: SeenChat): string {
  if (cmd === 'chatid') {
    return (
      `This chat's id is ${chat.chatId}\n` +
      `To let an agent answer here, run on the NanoClaw host:\n` +
      `nanoclaw groups add <name> --chat ${chat.chatId}`
    );
  }
  if (chat.kind === 'dm') {
    return (
      'Hi! I answer only chats registered on my NanoClaw host.\n' +
      'To make this chat yours: run "nanoclaw pair telegram" on the host, then send me the ' +
      'code it prints (it works once and expires soon).\n' +
      "Send /chatid to see this chat's id."
    );
  }
  return (
    "I answer only chats registered on my NanoClaw host. Send /chatid for this chat's id, " +
    'then run "nanoclaw groups add <name> --chat <id>" on the host.'
  );
}
