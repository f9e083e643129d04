/**
 * The one interface every chat platform implements, and what the host gives it. An adapter turns
 * platform events into stored messages and delivers outbox items; it knows nothing of agents.
 */
import type { Config } from '../config.js';
import type { EventBus } from '../conversation/bus.js';
import type { Logger } from '../log.js';
import type { GroupStore } from '../store/groups.js';
import type { MessageStore } from '../store/messages.js';
import type { TaskStore } from '../store/tasks.js';

export interface InboundMessage {
  /** Platform-qualified chat id, e.g. `web:main`, `tg:-100123`. */
  chatId: string;
  chatName: string;
  /** The platform's message id (unique within the chat; re-deliveries are ignored). */
  id: string;
  /** Epoch milliseconds. */
  ts: number;
  senderId: string;
  senderName: string;
  text: string;
}

export interface OutboundMessage {
  chatId: string;
  /** Id of the assistant message in the chat history (stable across delivery retries). */
  messageId: string;
  text: string;
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
  stop(): Promise<void>;
}

/** Problems the user must fix (e.g. a missing model credential), shown by chat UIs. */
export interface HostStatus {
  assistantName: string;
  problems: string[];
}

export interface ChannelDeps {
  config: Config;
  env: NodeJS.ProcessEnv;
  log: Logger;
  bus: EventBus;
  messages: MessageStore;
  groups: GroupStore;
  /** Read-only use: the web page shows a group's tasks and recent runs. */
  tasks: TaskStore;
  /** Stores the message durably and wakes its group; resolves after the commit. */
  receive(channel: string, message: InboundMessage): Promise<void>;
  status(): HostStatus;
}

/** Builds a channel, or returns null when its credentials are not configured. */
export type ChannelFactory = (deps: ChannelDeps) => Channel | null;
