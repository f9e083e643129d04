/**
 * The one interface every chat platform implements, and what the host gives it. An adapter turns
 * platform events into stored messages and delivers outbox items; it knows nothing of agents.
 */
import type { UsageSummary } from '../usage/summary.js';
import type { Config } from '../config.js';
import type { DashboardDeps } from './web/dashboard.js';
import type { EventBus } from '../conversation/bus.js';
import type { Logger } from '../log.js';
import type { GroupStore } from '../store/groups.js';
import type { MessageStore } from '../store/messages.js';
import type { StepStore } from '../store/steps.js';
import type { TaskStore } from '../store/tasks.js';

export interface InboundMessage {
  /** Platform-qualified chat id, e.g. `web:main`, `tg:-100123`. */
  chatId: string;
  chatName: string;
  /**
   * The platform's message id (unique within the chat; re-deliveries are ignored). A chat's
   * messages are ordered by (ts, id) with id compared as text, so ids of messages with the same
   * ts must sort as text in the order they were sent: zero-pad numeric ids (Telegram's are).
   */
  id: string;
  /** Epoch milliseconds. */
  ts: number;
  senderId: string;
  senderName: string;
  text: string;
  /** `dm`: a one-to-one chat with the bot; `group` (the default): anything else. */
  chatKind?: 'dm' | 'group';
  /** The platform marks the bot as mentioned (a mention entity, not text matching). */
  mentionsBot?: boolean;
  /** The message replies to one of the bot's own messages. */
  repliesToBot?: boolean;
  /** The sender is a bot (this one or another): such messages never wake an agent. */
  fromBot?: boolean;
  /** Files that came with the message; the host fetches and saves them in the group's inbox. */
  attachments?: InboundAttachment[];
}

export type AttachmentKind = 'photo' | 'document' | 'voice' | 'audio' | 'video' | 'sticker';

export interface InboundAttachment {
  kind: AttachmentKind;
  /** The platform's file name, if it gave one (the host sanitizes it before use). */
  name?: string;
  mime?: string;
  /** The size the platform announced, if any (enforced again while fetching). */
  size?: number;
  /** Downloads the file; throws once more than `maxBytes` arrive. */
  fetch(maxBytes: number, signal: AbortSignal): Promise<Buffer>;
}

export interface OutboundMessage {
  chatId: string;
  /** Id of the assistant message in the chat history (stable across delivery retries). */
  messageId: string;
  /** Markdown written by the agent; the channel renders it in the platform's format. */
  text: string;
  /** A file to send with the message, already read by the host under the host-file rules. */
  file?: { name: string; mime: string; bytes: Buffer };
  /**
   * The platform id of the inbound message this reply answers (the last one the agent was
   * given), absent for messages that answer nothing (scheduled output, notices). Channels that
   * thread reply to it: a Slack thread, an email's In-Reply-To.
   */
  replyTo?: string;
}

/**
 * What the operator must do to link a channel to an account (e.g. scan a QR code with the
 * phone), shown by `nanoclaw channels` and on the web page while the channel waits for it.
 */
export interface LinkPrompt {
  /** One line for people: what to do, where. */
  instructions: string;
  /** A QR code to scan, as a `data:image/png;base64,…` URL (the page shows only that form). */
  qrImage?: string;
  /** A code to type on the phone instead (e.g. a WhatsApp pairing code). */
  code?: string;
}

/** A channel's connection state, shown to the operator and on the web page. */
export type ChannelHealth =
  | { state: 'connecting'; link?: LinkPrompt }
  | { state: 'connected' }
  | { state: 'reconnecting'; reason: string; retryInMs: number }
  | { state: 'failed'; reason: string; fix: string };

/** A chat a channel has seen (discovery); unregistered chats are listed, never answered. */
export interface SeenChat {
  chatId: string;
  name: string;
  kind: 'dm' | 'group';
}

export interface Channel {
  readonly name: string;
  /** Whether this channel delivers to the chat. */
  ownsChat(chatId: string): boolean;
  start(): Promise<void>;
  /** Resolves only when the platform confirmed delivery; throws to have it retried later. */
  send(message: OutboundMessage): Promise<void>;
  /** Shows or hides "typing…" in the chat; best effort. */
  setTyping?(chatId: string, on: boolean): Promise<void>;
  /** The current connection state (built-in channels are always connected). */
  health?(): ChannelHealth;
  stop(): Promise<void>;
}

/** Problems the user must fix (e.g. a missing model credential), shown by chat UIs. */
export interface HostStatus {
  assistantName: string;
  problems: string[];
  /** Every running channel's connection state (`nanoclaw status`, the web page). */
  channels: ChannelStatus[];
  /** Model usage today and this month (UTC), in all and per group (docs/USAGE.md). */
  usage?: UsageSummary;
}

export type ChannelStatus = ChannelHealth & { name: string; summary: string };

export interface ChannelDeps {
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
  bus: EventBus;
  messages: MessageStore;
  groups: GroupStore;
  /** Read-only use: the web page shows a group's tasks and recent runs. */
  tasks: TaskStore;
  /** Read-only use: the steps each reply took, for the web chat's history; absent: none. */
  steps?: Pick<StepStore, 'forMessages'>;
  /** Stores the message durably and wakes its group; resolves after the commit. */
  receive(channel: string, message: InboundMessage): Promise<void>;
  /**
   * Sends `text` into `chatId` as the assistant's message, under `sender` (history, live views,
   * the outbox to the chat's own channel): the web owner replying into main's other chats.
   */
  postAsAssistant?(chatId: string, text: string, sender: string): { id: string; ts: number };
  /** Stops the turn answering `chatId` (a Stop button); false when none is. */
  stop?(chatId: string): boolean;
  /** The whole assistant for the web dashboard (the running host gives it). */
  dashboard?: DashboardDeps;
  status(): HostStatus;
  /** Reports a chat the channel sees (discovery). */
  chatSeen?(channel: string, chat: SeenChat): void;
  /** Reports a change of connection state (the host logs it once per change and shows it). */
  healthChanged?(channel: string, health: ChannelHealth): void;
}

/** Builds a channel, or returns null when its credentials are not configured. */
export type ChannelFactory = (deps: ChannelDeps) => Channel | null;
