/**
 * Catch-up after a fresh gateway session: Discord replays missed events only on a RESUME, so
 * after NanoClaw was down (or a resume failed) the messages sent meanwhile are fetched over REST
 * (`GET /channels/:id/messages?after=`) for each registered Discord chat, starting after the
 * newest message the host stored. A chat never written to is not back-filled (no history is
 * read into a new group). The store ignores what it already has, so overlap is harmless.
 */
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import type { GroupStore } from '../../store/groups.js';
import type { MessageStore } from '../../store/messages.js';
import { CHAT_PREFIX, discordChannelId, snowflakeOf } from './message.js';

/** What catch-up needs from the host's store. */
export interface Backlog {
  /** Registered Discord chats, with the kind the host knows them as. */
  chats(): { chatId: string; kind: 'dm' | 'group' }[];
  /** The platform id of the newest inbound message stored for the chat, if any. */
  lastInbound(chatId: string): string | undefined;
}

/** How many of a chat's newest stored messages are searched for the last inbound one. */
const HISTORY_LOOKBACK = 50;
/** Discord's page size for message history. */
export const PAGE = 100;

export function storeBacklog(groups: GroupStore, messages: MessageStore): Backlog {
  return {
    chats: () =>
      groups
        .list()
        .flatMap((g) => groups.chats(g.folder))
        .filter((chatId) => chatId.startsWith(CHAT_PREFIX))
        .map((chatId) => ({ chatId, kind: messages.chat(chatId)?.kind ?? 'group' })),
    lastInbound: (chatId) =>
      messages
        .history(chatId, HISTORY_LOOKBACK)
        .filter((m) => !m.fromAssistant)
        .at(-1)?.id,
  };
}

const Page = z.array(z.object({ id: z.string().regex(/^\d{1,20}$/) }).passthrough());

/** Messages of `chatId` after the stored one, oldest first (at most one page: the newest). */
export async function missedMessages(
  rest: REST,
  chatId: string,
  after: string,
  signal: AbortSignal,
): Promise<unknown[]> {
  const channel = discordChannelId(chatId);
  const from = snowflakeOf(after);
  if (channel === undefined || from === undefined) return [];
  const query = new URLSearchParams({ after: from, limit: String(PAGE) });
  const page = Page.parse(await rest.get(Routes.channelMessages(channel), { query, signal }));
  return page.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}
