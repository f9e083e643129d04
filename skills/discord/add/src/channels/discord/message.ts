/**
 * Pure: what a Discord gateway MESSAGE_CREATE means for NanoClaw. The fields we read are parsed
 * with zod (anything else is ignored; a malformed event is skipped, never half-read). Sender
 * identity, mentions and replies come from Discord's fields, never from the text. The adapter
 * reads the raw dispatch, so it does not depend on discord.js's channel cache (which drops an
 * uncached DM unless the event carries `channel_type: 1`).
 */
import { z } from 'zod';
import type { AttachmentKind, SeenChat } from '../channel.js';

export const CHAT_PREFIX = 'discord:';

/** Snowflakes are unsigned 64-bit integers: at most 20 decimal digits. */
const Snowflake = z.string().regex(/^\d{1,20}$/);
const SNOWFLAKE_WIDTH = 20;

const User = z.object({
  id: Snowflake,
  username: z.string(),
  global_name: z.string().nullish(),
  bot: z.boolean().optional(),
});
const Attachment = z.object({
  id: Snowflake,
  filename: z.string(),
  size: z.number().int().min(0).optional(),
  url: z.url({ protocol: /^https?$/ }),
  content_type: z.string().optional(),
});
const MessageCreate = z.object({
  id: Snowflake,
  channel_id: Snowflake,
  guild_id: Snowflake.optional(),
  author: User,
  member: z.object({ nick: z.string().nullish() }).optional(),
  content: z.string(),
  timestamp: z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a timestamp'),
  type: z.number().int(),
  /** MessageFlags: 8192 = IS_VOICE_MESSAGE. */
  flags: z.number().int().optional(),
  webhook_id: Snowflake.optional(),
  mentions: z.array(User).default([]),
  attachments: z.array(Attachment).default([]),
  referenced_message: z.object({ author: User }).nullish(),
});
export type RawMessage = z.infer<typeof MessageCreate>;
type RawAttachment = z.infer<typeof Attachment>;

/** Message types that carry what a person wrote: DEFAULT and REPLY (others are system notices). */
const USER_TYPES = new Set([0, 19]);
const VOICE_MESSAGE = 8192;

/** What the adapter knows of the place a message came from (from the guild cache, if any). */
export interface Place {
  guildName?: string;
  channelName?: string;
  /** The chat's kind when known otherwise (REST messages carry no guild id). */
  kind?: 'dm' | 'group';
}

export interface FileRef {
  kind: AttachmentKind;
  url: string;
  name: string;
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

export type MessageMeaning =
  { kind: 'ignore'; chat?: SeenChat } | { kind: 'message'; chat: SeenChat; message: ParsedMessage };

/**
 * A snowflake as a message id that sorts as text: zero-padded to 20 digits (Discord's
 * timestamps have milliseconds, but two messages of one millisecond must still keep order).
 */
export function messageKey(snowflake: string): string {
  return snowflake.padStart(SNOWFLAKE_WIDTH, '0');
}

/** The snowflake back from a padded key (Discord refuses leading zeros in references). */
export function snowflakeOf(key: string): string | undefined {
  if (!/^\d{1,20}$/.test(key)) return undefined;
  return key.replace(/^0+(?=\d)/, '');
}

export const chatIdOf = (channelId: string) => `${CHAT_PREFIX}${channelId}`;

/** `discord:123` → `123`; undefined for anything else. */
export function discordChannelId(chatId: string): string | undefined {
  const m = /^discord:(\d{1,20})$/.exec(chatId);
  return m?.[1];
}

const displayName = (u: z.infer<typeof User>, nick?: string | null) =>
  nick || u.global_name || u.username;

/** `<@123>` / `<@!123>` → `@name` for users Discord says were mentioned; the rest stays. */
function readableText(m: RawMessage, botId: string, botName: string): string {
  const names = new Map(m.mentions.map((u) => [u.id, displayName(u)]));
  names.set(botId, botName);
  return m.content.replace(/<@!?(\d{1,20})>/g, (raw, id: string) => {
    const name = names.get(id);
    return name ? `@${name}` : raw;
  });
}

function attachmentKind(a: RawAttachment, flags: number): AttachmentKind {
  const mime = a.content_type ?? '';
  if (mime.startsWith('audio/') && (flags & VOICE_MESSAGE) !== 0) return 'voice';
  if (mime.startsWith('image/')) return 'photo';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  return 'document';
}

function files(m: RawMessage): FileRef[] {
  return m.attachments.map((a) => ({
    kind: attachmentKind(a, m.flags ?? 0),
    url: a.url,
    name: a.filename,
    ...(a.content_type ? { mime: a.content_type.split(';')[0]?.trim() } : {}),
    ...(a.size !== undefined ? { size: a.size } : {}),
  }));
}

export function seenChat(m: RawMessage, place: Place): SeenChat {
  if (!m.guild_id && place.kind !== 'group') {
    return { chatId: chatIdOf(m.channel_id), name: displayName(m.author), kind: 'dm' };
  }
  return seenChatOfChannel(m.channel_id, place);
}

/** A guild text channel from GUILD_CREATE (discovery before anyone wrote there). */
export function seenChatOfChannel(channelId: string, place: Place): SeenChat {
  const chatId = chatIdOf(channelId);
  const channel = place.channelName ? `#${place.channelName}` : chatId;
  return {
    chatId,
    name: place.guildName ? `${channel} (${place.guildName})` : channel,
    kind: 'group',
  };
}

export interface BotIdentity {
  id: string;
  name: string;
}

export function interpretMessage(raw: unknown, bot: BotIdentity, place: Place): MessageMeaning {
  const parsed = MessageCreate.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore' };
  const m = parsed.data;
  const chat = seenChat(m, place);
  // The bot's own messages come back over the gateway; the host already has them.
  if (!USER_TYPES.has(m.type) || m.author.id === bot.id) return { kind: 'ignore', chat };
  const text = readableText(m, bot.id, bot.name);
  const attached = files(m);
  if (!text.trim() && attached.length === 0) return { kind: 'ignore', chat };
  return {
    kind: 'message',
    chat,
    message: {
      chatId: chat.chatId,
      chatName: chat.name,
      chatKind: chat.kind,
      id: messageKey(m.id),
      ts: Date.parse(m.timestamp),
      senderId: chatIdOf(m.author.id),
      senderName: displayName(m.author, m.member?.nick),
      text,
      mentionsBot: m.mentions.some((u) => u.id === bot.id),
      repliesToBot: m.referenced_message?.author.id === bot.id,
      fromBot: m.author.bot === true || m.webhook_id !== undefined,
      files: attached,
    },
  };
}
