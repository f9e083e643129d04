/**
 * In-process events for live views (web chat, terminal chat): a message was stored, typing
 * started or stopped, the agent did something, the host's status changed. Listeners must not throw; a failing listener is isolated and logged.
 */
import { EventEmitter } from 'node:events';
import { stripInternal } from '../runs/text.js';
import type { StoredMessage } from '../store/messages.js';

export interface BusEvents {
  message: [StoredMessage];
  typing: [{ chatId: string; on: boolean }];
  /** What the agent answering a chat is doing: a tool call, or text it wrote on the way. */
  activity: [Activity];
  /** The host's status changed (a channel's connection state): live views show it again. */
  status: [];
}

export type Activity =
  | { chatId: string; ts: number; kind: 'tool'; name: string; summary: string }
  | { chatId: string; ts: number; kind: 'text'; text: string };

/** What a run's tool call or intermediate text shows (internal parts removed; empty: none). */
export function activityOf(
  chatId: string,
  ts: number,
  event: { type: 'tool'; name: string; summary: string } | { type: 'text'; text: string },
): Activity | undefined {
  if (event.type === 'tool') {
    return { chatId, ts, kind: 'tool', name: event.name, summary: event.summary };
  }
  const text = stripInternal(event.text);
  return text ? { chatId, ts, kind: 'text', text } : undefined;
}

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open web page holds one listener per event type.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.emitter.emit(event, ...args);
  }
}
