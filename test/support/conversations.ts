/**
 * Conversations over real stores with an in-memory channel, for tests: everything but the
 * stores, the limiter and how runs start takes a test default (overridable).
 */
import type { OutboundMessage } from '../../src/channels/channel.js';
import { EventBus } from '../../src/conversation/bus.js';
import { Outbox } from '../../src/conversation/outbox.js';
import type { PostDeps } from '../../src/conversation/post.js';
import { Conversations, type ConversationDeps } from '../../src/conversation/service.js';
import { TypingIndicator } from '../../src/conversation/typing.js';
import { silentLogger } from '../../src/log.js';

export const TEST_TIMERS = { setTimeout, clearTimeout, setInterval, clearInterval };

type Required = Pick<
  ConversationDeps,
  'messages' | 'groups' | 'sessions' | 'pairing' | 'limiter' | 'startRun'
>;

export function testConversations(
  deps: Required & Partial<ConversationDeps>,
  send: (message: OutboundMessage) => Promise<void> = async () => {},
): { conversations: Conversations; outbox: Outbox; post: PostDeps } {
  const log = silentLogger();
  const channel = {
    name: 'web',
    ownsChat: () => true,
    start: async () => {},
    stop: async () => {},
    send,
  };
  const outbox = new Outbox({
    messages: deps.messages,
    channels: () => [channel],
    now: Date.now,
    timers: TEST_TIMERS,
    log,
    retryBaseMs: 10,
    retryMaxDelayMs: 10,
  });
  const post: PostDeps = {
    messages: deps.messages,
    bus: new EventBus(),
    outbox,
    assistantName: 'Andy',
    now: Date.now,
  };
  const conversations = new Conversations({
    assistantName: 'Andy',
    ownerIds: ['owner'],
    setupProblems: () => [],
    timezone: 'UTC',
    idleTimeoutMs: 60_000,
    retry: { baseMs: 10, maxDelayMs: 20, maxRetries: 1 },
    post,
    typing: new TypingIndicator({
      channels: () => [channel],
      timers: TEST_TIMERS,
      log,
      bus: post.bus,
    }),
    now: Date.now,
    timers: TEST_TIMERS,
    log,
    ...deps,
  });
  return { conversations, outbox, post };
}
