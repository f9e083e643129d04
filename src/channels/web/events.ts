/**
 * The live event stream of one chat (Server-Sent Events): the host status on connect, then every
 * message stored in the chat, the assistant's typing state and activity (tools, team members),
 * a `chat` notice (no text) for a message stored in another chat the chat list shows, with a
 * keep-alive comment. Bus listeners live exactly as long as the connection.
 */
import type { ServerResponse } from 'node:http';
import type { EventBus } from '../../conversation/bus.js';
import type { HostStatus } from '../channel.js';
import type { StoredMessage } from '../../store/messages.js';
import { chatNotice, messageView, type ApiChatNotice, type ApiMessage } from './views.js';

export const PING_MS = 25_000;
/** Tells EventSource how soon to reconnect after the stream breaks. */
const RETRY_MS = 2_000;

export interface EventStreamDeps {
  bus: EventBus;
  status(): HostStatus;
  /** Whether GET /api/chats lists this chat: only those get a `chat` notice. */
  listed(chatId: string): boolean;
}

export type StreamedMessage =
  { event: 'message'; data: ApiMessage } | { event: 'chat'; data: ApiChatNotice } | undefined;

/**
 * Pure: what the stream of `streamChat` sends for a stored message: the whole message in its own
 * chat; a notice for another chat the list shows (so the page's unread counts stay live); else
 * nothing, so the stream never names a chat the list would not show.
 */
export function eventForMessage(
  m: StoredMessage,
  streamChat: string,
  listed: (chatId: string) => boolean,
): StreamedMessage {
  if (m.chatId === streamChat) return { event: 'message', data: messageView(m) };
  return listed(m.chatId) ? { event: 'chat', data: chatNotice(m) } : undefined;
}

export function streamEvents(res: ServerResponse, chatId: string, deps: EventStreamDeps): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // Reverse proxies (nginx) must not buffer a live stream.
    'x-accel-buffering': 'no',
  });
  res.socket?.setNoDelay(true);
  const send = (event: string, data: unknown) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  res.write(`retry: ${RETRY_MS}\n\n`);
  send('status', deps.status());
  const offMessage = deps.bus.on('message', (m) => {
    const out = eventForMessage(m, chatId, deps.listed);
    if (out) send(out.event, out.data);
  });
  const offTyping = deps.bus.on('typing', (t) => {
    if (t.chatId === chatId) send('typing', { on: t.on });
  });
  const offActivity = deps.bus.on('activity', (a) => {
    if (a.chatId === chatId)
      send('activity', { kind: a.kind, agent: a.agent ?? null, text: a.text });
  });
  const offStatus = deps.bus.on('status', () => send('status', deps.status()));
  const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
  res.on('close', () => {
    clearInterval(ping);
    offMessage();
    offTyping();
    offActivity();
    offStatus();
  });
}
