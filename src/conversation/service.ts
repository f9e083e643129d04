/**
 * Conversations: the path from a stored message to a reply in the outbox. Decides whether a
 * group answers (trigger rules), builds the catch-up prompt, pipes follow-ups into a live run,
 * closes idle runs, and moves a chat's cursor only together with the reply (one transaction).
 */
import type { InboundMessage } from '../channels/channel.js';
import { UserError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { AgentRun } from '../runs/agent-run.js';
import type { Lease, SandboxLimiter } from '../runs/limiter.js';
import { stripInternal } from '../runs/text.js';
import type { Group, GroupStore, SessionStore } from '../store/groups.js';
import {
  outboxMessage,
  type Cursor,
  type MessageStore,
  type SavedAttachment,
  type StoredMessage,
} from '../store/messages.js';
import { formatMessages, imagesOf } from './format.js';
import { postAssistantMessage, type PostDeps } from './post.js';
import { GroupQueue, type RunResult, type Timers } from './queue.js';
import { senderDecision } from '../security/senders.js';
import { shouldAnswer } from './trigger.js';
import { TypingIndicator } from './typing.js';

/** A message over MAX_MESSAGE_CHARS (HTTP 413 in the web API). */
export class MessageTooLongError extends UserError {}

/** Longest message accepted from any channel (documented in docs/API.md). */
export const MAX_MESSAGE_CHARS = 8000;
/** Most messages handed to the agent in one prompt. */
const MAX_BATCH = 200;

export interface ConversationDeps {
  assistantName: string;
  /** Sender ids that count as the owner for "owner only" policies. */
  ownerIds: readonly string[];
  timezone: string;
  idleTimeoutMs: number;
  /** The host's one sandbox limiter: each chat run holds a slot until its sandbox is gone. */
  limiter: SandboxLimiter;
  retry: { baseMs: number; maxDelayMs: number; maxRetries: number };
  groups: GroupStore;
  messages: MessageStore;
  sessions: SessionStore;
  post: PostDeps;
  typing: TypingIndicator;
  /** `images`: sandbox paths of saved images the model sees with the prompt. */
  startRun(group: Group, prompt: string, signal: AbortSignal, images?: readonly string[]): AgentRun;
  /** Fetches a message's files into the group's inbox (attachments.ts); absent: none kept. */
  saveAttachments?(group: Group, message: InboundMessage): Promise<SavedAttachment[]>;
  now(): number;
  timers: Timers;
  log: Logger;
}

interface LiveRun {
  run: AgentRun;
  lease: Lease;
  chatId: string;
  /** Newest message handed to the agent. */
  through: Cursor;
  /** Newest message whose reply is committed. */
  answered: Cursor | undefined;
  closing: boolean;
  idleTimer: NodeJS.Timeout | undefined;
}

const cursorOf = (m: StoredMessage): Cursor => ({ ts: m.ts, id: m.id });
const sameCursor = (a: Cursor | undefined, b: Cursor) => a?.ts === b.ts && a.id === b.id;

export class Conversations {
  readonly queue: GroupQueue;
  private readonly live = new Map<string, LiveRun>();
  private readonly lastError = new Map<string, string>();

  constructor(private readonly deps: ConversationDeps) {
    this.queue = new GroupQueue({
      retryBaseMs: deps.retry.baseMs,
      retryMaxDelayMs: deps.retry.maxDelayMs,
      maxRetries: deps.retry.maxRetries,
      run: (folder, signal) => this.processGroup(folder, signal),
      onGiveUp: (folder) => this.tellFailure(folder),
      timers: deps.timers,
      log: deps.log,
    });
  }

  /** Stores an inbound message durably, then wakes its group. Resolves after the commit. */
  async receive(channel: string, message: InboundMessage): Promise<void> {
    const text = message.text.trim();
    if (!text && !message.attachments?.length) {
      throw new UserError('The message is empty: type something to send.');
    }
    if (message.text.length > MAX_MESSAGE_CHARS) {
      throw new MessageTooLongError(
        `The message is too long (${message.text.length} characters); the limit is ${MAX_MESSAGE_CHARS}.`,
      );
    }
    const group = this.deps.groups.getByChat(message.chatId);
    if (!group) {
      this.deps.log.debug({ chat: message.chatId }, 'message for an unregistered chat ignored');
      return;
    }
    const decision = senderDecision(group.senderPolicy, message.senderId, this.deps.ownerIds);
    if (decision === 'drop') {
      this.deps.log.debug(
        { chat: message.chatId },
        'message from a sender outside the policy dropped',
      );
      return;
    }
    this.deps.messages.upsertChat(message.chatId, channel, message.chatName);
    const stored: StoredMessage = {
      chatId: message.chatId,
      id: message.id,
      ts: message.ts,
      senderId: message.senderId,
      senderName: message.senderName,
      content: message.text,
      fromAssistant: false,
      mayTrigger: decision === 'allow',
      attachments: (await this.deps.saveAttachments?.(group, message)) ?? [],
    };
    if (!this.deps.messages.insert(stored)) return; // a re-delivery: already handled
    this.deps.post.bus.emit('message', stored);
    this.wake(group);
  }

  /** New work for a group: pipe it into the live run, or queue a run. */
  wake(group: Group): void {
    const live = this.live.get(group.folder);
    if (live && !live.closing && this.pipe(group, live)) return;
    this.queue.wake(group.folder);
  }

  /** After a restart: every group with unanswered messages gets its turn. */
  resumeAll(): void {
    for (const chatId of this.deps.messages.chatsWithUnanswered()) {
      const group = this.deps.groups.getByChat(chatId);
      if (group) this.queue.wake(group.folder);
    }
  }

  async shutdown(): Promise<void> {
    for (const live of this.live.values()) this.clearIdle(live);
    await this.queue.shutdown();
  }

  private pending(chatId: string, after: Cursor | undefined): StoredMessage[] {
    return this.deps.messages.inboundAfter(chatId, after, MAX_BATCH);
  }

  /** Pipes new triggered messages into a live run; false when the run cannot take them. */
  private pipe(group: Group, live: LiveRun): boolean {
    const fresh = this.pending(live.chatId, live.through);
    if (!shouldAnswer(group, this.deps.assistantName, fresh)) return true;
    if (!live.run.send(formatMessages(fresh, this.deps.timezone), imagesOf(fresh))) return false;
    live.through = cursorOf(fresh[fresh.length - 1] as StoredMessage);
    this.clearIdle(live);
    this.deps.typing.start(live.chatId);
    return true;
  }

  /** The group and the messages it should answer now, if any. */
  private work(
    folder: string,
  ): { group: Group; chatId: string; batch: StoredMessage[] } | undefined {
    const group = this.deps.groups.get(folder);
    if (!group?.chatId) return undefined;
    const chatId = group.chatId;
    const batch = this.pending(chatId, this.deps.messages.cursor(chatId));
    return shouldAnswer(group, this.deps.assistantName, batch)
      ? { group, chatId, batch }
      : undefined;
  }

  /** Waits for a sandbox slot (nothing to answer: none), answers, frees the slot. */
  private async processGroup(folder: string, signal: AbortSignal): Promise<RunResult> {
    if (!this.work(folder)) return true;
    let lease: Lease;
    try {
      lease = await this.deps.limiter.acquire({ group: folder, kind: 'chat' }, signal);
    } catch (error) {
      if (signal.aborted) return false; // shutting down: the queue ignores the result
      throw error;
    }
    try {
      // Read again: messages that came while waiting belong in this turn.
      const work = this.work(folder);
      return work ? await this.answer(work, lease, signal) : true;
    } finally {
      lease.release();
    }
  }

  private async answer(
    { group, chatId, batch }: { group: Group; chatId: string; batch: StoredMessage[] },
    lease: Lease,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const folder = group.folder;
    const prompt = formatMessages(batch, this.deps.timezone);
    const run = this.deps.startRun(group, prompt, signal, imagesOf(batch));
    const live: LiveRun = {
      run,
      lease,
      chatId,
      through: cursorOf(batch[batch.length - 1] as StoredMessage),
      answered: undefined,
      closing: false,
      idleTimer: undefined,
    };
    this.live.set(folder, live);
    this.deps.typing.start(chatId);
    try {
      await this.follow(group, live);
    } finally {
      this.clearIdle(live);
      this.live.delete(folder);
      this.deps.typing.stop(chatId);
      // The slot is held until the sandbox is gone, however following it ended.
      live.run.close();
      await run.finished;
    }
    const outcome = await run.finished;
    if (outcome.error) this.lastError.set(folder, outcome.error.message);
    // Success means every message handed to the agent got its reply committed.
    if (sameCursor(live.answered, live.through)) return true;
    return outcome.error?.retryable === false ? 'give-up' : false;
  }

  private async follow(group: Group, live: LiveRun): Promise<void> {
    for await (const event of live.run.events) {
      if (event.type === 'session') {
        this.deps.sessions.set(group.folder, event.sessionId, new Date(this.deps.now()));
      } else if (event.type === 'result') {
        this.commit(live, stripInternal(event.text));
        this.deps.typing.stop(live.chatId);
        this.armIdle(live);
      } else if (event.type === 'error') {
        this.deps.log.warn({ group: group.folder, err: event.message }, 'agent reported an error');
      }
    }
  }

  private commit(live: LiveRun, text: string): void {
    const now = this.deps.now();
    const reply = text ? { text, senderName: this.deps.assistantName } : undefined;
    const item = this.deps.messages.commitReply(live.chatId, live.through, reply, now);
    live.answered = live.through;
    if (!item) return;
    this.deps.post.bus.emit('message', outboxMessage(item, this.deps.assistantName, now));
    this.deps.post.outbox.kick();
  }

  private armIdle(live: LiveRun): void {
    this.clearIdle(live);
    const close = () => {
      live.closing = true;
      live.run.close();
    };
    live.idleTimer = this.deps.timers.setTimeout(close, this.deps.idleTimeoutMs);
    // A waiting run (a task, another group's chat) that needs this slot closes the idle run.
    live.lease.idle(() => {
      this.clearIdle(live);
      close();
    });
  }

  private clearIdle(live: LiveRun): void {
    if (live.idleTimer) this.deps.timers.clearTimeout(live.idleTimer);
    live.idleTimer = undefined;
    live.lease.busy();
  }

  private tellFailure(folder: string): void {
    const group = this.deps.groups.get(folder);
    if (!group?.chatId) return;
    const reason = this.lastError.get(folder) ?? 'unknown error';
    const text =
      `Sorry, I could not answer (${reason}). ` + 'I will try again when you send another message.';
    try {
      postAssistantMessage(this.deps.post, group.chatId, text);
    } catch (error) {
      this.deps.log.error({ group: folder, err: errorMessage(error) }, 'could not report failure');
    }
  }
}
