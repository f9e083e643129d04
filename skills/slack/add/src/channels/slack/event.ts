/**
 * Pure: what a Slack event (`message`, `app_mention`) means for NanoClaw. The fields we read are
 * parsed with zod (anything else is ignored; a malformed event is skipped, never half-read).
 * Sender identity comes from Slack's `user`/`bot_id`, never from the text.
 */
import { z } from 'zod';
import type { AttachmentKind, SeenChat } from '../channel.js';

export const CHAT_PREFIX = 'slack:';

const SlackFile = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().int().min(0).optional(),
  url_private_download: z.string().optional(),
  url_private: z.string().optional(),
});

const TS = z.string().regex(/^\d{1,10}\.\d{1,6}$/, 'not a Slack timestamp');

const Event = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  channel: z.string().regex(/^[A-Z0-9]{2,30}$/),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  username: z.string().optional(),
  text: z.string().optional(),
  ts: TS,
  thread_ts: TS.optional(),
  parent_user_id: z.string().optional(),
  files: z.array(SlackFile).optional(),
});
type Event = z.infer<typeof Event>;

/** Subtypes that are a message someone wrote; edits, deletions, joins and the like are not. */
const READ_SUBTYPES = new Set(['file_share', 'bot_message', 'thread_broadcast', 'me_message']);

/** The bot itself (from auth.test). */
export interface BotIdentity {
  userId: string;
  botId?: string;
}

/** A file to download later from `url` with the bot token. */
export interface FileRef {
  kind: AttachmentKind;
  url: string;
  name?: string;
  mime?: string;
  size?: number;
}

export interface ParsedMessage {
  chatId: string;
  /** The Slack channel id (C…, G…, D…). */
  channel: string;
  chatKind: 'dm' | 'group';
  id: string;
  ts: number;
  /** Slack's own ts of the message (for reactions). */
  slackTs: string;
  senderId: string;
  /** The Slack user to look the sender's name up by, if a person wrote it. */
  userId?: string;
  senderName: string;
  text: string;
  mentionsBot: boolean;
  repliesToBot: boolean;
  fromBot: boolean;
  files: FileRef[];
}

export type EventMeaning =
  | { kind: 'ignore'; chat?: Pick<SeenChat, 'chatId' | 'kind'>; channel?: string }
  | { kind: 'message'; message: ParsedMessage };

/**
 * Slack's ts is `<10-digit seconds>.<6-digit sequence>`: fixed width, so ts strings sort as text
 * in the order Slack gave them (padded here in case a shorter one ever arrives). The store
 * orders a chat's messages by (ms, id) as text, so the id starts with the ts.
 *
 * A message in a thread carries its thread after the ts: `<ts>@<thread ts>`. The reply to it
 * must go into that thread, and the outbox item's `replyTo` is this id, stored with the item
 * in SQLite: so the thread survives a crash without any state of the adapter's own, and ids
 * still sort by their fixed-width ts prefix (unique per channel) before the suffix is reached.
 */
export function messageKey(ts: string, threadTs?: string): string {
  const key = padTs(ts);
  return threadTs !== undefined && padTs(threadTs) !== key ? `${key}@${padTs(threadTs)}` : key;
}

function padTs(ts: string): string {
  const [secs = '', frac = ''] = ts.split('.');
  return `${secs.padStart(10, '0')}.${frac.padEnd(6, '0')}`;
}

/** The thread a reply to the message `replyTo` (an id from messageKey) belongs in, if any. */
export function threadOf(replyTo: string | undefined): string | undefined {
  const m = /^\d{10}\.\d{6}@(\d{10}\.\d{6})$/.exec(replyTo ?? '');
  return m?.[1];
}

/** The Slack ts of the message `id` names (an id from messageKey). */
export function tsOf(id: string): string | undefined {
  return /^(\d{10}\.\d{6})(@|$)/.exec(id)?.[1];
}

/** `1700000000.000100` → epoch milliseconds. */
export function tsToMs(ts: string): number {
  const [secs = '0', frac = '0'] = padTs(ts).split('.');
  return Number(secs) * 1000 + Math.floor(Number(frac) / 1000);
}

export const chatIdOf = (channel: string) => `${CHAT_PREFIX}${channel}`;

/** `slack:C0123` → `C0123`; undefined for anything else. */
export function slackChannelOf(chatId: string): string | undefined {
  return /^slack:([A-Z0-9]{2,30})$/.exec(chatId)?.[1];
}

function unescape(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Slack's markup in message text as plain text: mentions, channel links, links, entities. */
export function plainText(text: string): string {
  const decoded = text.replace(/<([^<>]*)>/g, (_all, inner: string) => {
    const [target = '', label] = inner.split('|', 2);
    if (target.startsWith('@')) return label ? `@${label}` : target;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!subteam^')) return label ?? '@team';
    if (target.startsWith('!')) return `@${target.slice(1).split('^')[0]}`;
    return label ? `${label} (${target})` : target;
  });
  return unescape(decoded);
}

function kindOf(mime: string | undefined): AttachmentKind {
  if (mime?.startsWith('image/')) return 'photo';
  if (mime?.startsWith('audio/')) return 'audio';
  if (mime?.startsWith('video/')) return 'video';
  return 'document';
}

function files(e: Event): FileRef[] {
  return (e.files ?? []).flatMap((f) => {
    const url = f.url_private_download ?? f.url_private;
    if (!url) return [];
    return [
      {
        kind: kindOf(f.mimetype),
        url,
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(f.mimetype !== undefined ? { mime: f.mimetype } : {}),
        ...(f.size !== undefined ? { size: f.size } : {}),
      },
    ];
  });
}

/** D… channels (and channel_type im) are DMs; channels, private channels and group DMs are not. */
function kindOfChat(e: Event): 'dm' | 'group' {
  return e.channel_type === 'im' || (!e.channel_type && e.channel.startsWith('D')) ? 'dm' : 'group';
}

/** The text holds Slack's mention of the bot (`<@U…>` or `<@U…|name>`), not just its name. */
function mentions(text: string, bot: BotIdentity): boolean {
  return [...text.matchAll(/<@([A-Z0-9]+)(\|[^>]*)?>/g)].some((m) => m[1] === bot.userId);
}

export function interpretEvent(raw: unknown, bot: BotIdentity): EventMeaning {
  const parsed = Event.safeParse(raw);
  if (!parsed.success) return { kind: 'ignore' };
  const e = parsed.data;
  const chat = { chatId: chatIdOf(e.channel), kind: kindOfChat(e) };
  if (e.subtype !== undefined && !READ_SUBTYPES.has(e.subtype)) {
    return { kind: 'ignore', chat, channel: e.channel };
  }
  const slackText = e.text ?? '';
  const text = plainText(slackText);
  const refs = files(e);
  if (!text.trim() && refs.length === 0) return { kind: 'ignore', chat, channel: e.channel };
  const fromBot = e.bot_id !== undefined || e.subtype === 'bot_message';
  const sender = e.user ?? e.bot_id ?? 'unknown';
  return {
    kind: 'message',
    message: {
      chatId: chat.chatId,
      channel: e.channel,
      chatKind: chat.kind,
      id: messageKey(e.ts, e.thread_ts),
      ts: tsToMs(e.ts),
      slackTs: padTs(e.ts),
      senderId: `${CHAT_PREFIX}${sender}`,
      ...(e.user !== undefined && !fromBot ? { userId: e.user } : {}),
      senderName: e.username ?? sender,
      text,
      mentionsBot: e.type === 'app_mention' || mentions(slackText, bot),
      repliesToBot: e.thread_ts !== undefined && e.parent_user_id === bot.userId,
      fromBot,
      files: refs,
    },
  };
}
