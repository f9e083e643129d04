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
import type { AuditSink } from '../store/audit.js';
import type { PairingStore } from '../store/pairing.js';
import { MAX_STEPS, type Step, type StepStore } from '../store/steps.js';
import {
  outboxMessage,
  type Cursor,
  type MessageStore,
  type SavedAttachment,
  type StoredMessage,
} from '../store/messages.js';
import { activityOf, type Activity } from './bus.js';
import { formatMessages, imagesOf } from './format.js';
import { postAssistantMessage, type PostDeps } from './post.js';
import { GroupQueue, type RunResult, type Timers } from './queue.js';
import { senderDecision } from '../security/senders.js';
import { unregistered } from './pairing.js';
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
  /** Sender ids that count as the owner for "owner only" policies (paired owners join them). */
  ownerIds: readonly string[];
  /** One-time codes that bind a DM to main, and the owners they recorded. */
  pairing: PairingStore;
  timezone: string;
  idleTimeoutMs: number;
  /**
   * What the user must set before any run can answer (no model credential): read fresh for each
   * batch, so the next message after the fix is answered normally.
   */
  setupProblems(): readonly string[];
  /**
   * False when the group may not run now (its model budget is reached; the chat has been told):
   * its messages wait, and the next message after the budget is raised answers them.
   */
  mayRun?(folder: string, chatId: string): boolean;
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
  /**
   * Records which run was handed which messages (audit `sandbox`/`turn`): the link `nanoclaw
   * why` follows from a message to the run that answered it.
   */
  audit?: AuditSink;
  /** Keeps each reply's steps (the web chat's "Worked for …" after a reload); absent: not kept. */
  steps?: Pick<StepStore, 'save'>;
  now(): number;
  timers: Timers;
  log: Logger;
}

/** What a live run is answering: a chat, and the newest inbound message handed to it there. */
export interface AnsweredTurn {
  chatId: string;
  messageId: string;
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
  /** Aborts this run only (the Stop button); the queue's signal still ends every run. */
  stop: AbortController;
  stopped: boolean;
  /** What the turn in progress did (tools, team members): kept with its reply. */
  steps: Step[];
  /** When its sandbox started (epoch ms; the dashboard's elapsed time). */
  startedAt: number;
}

const cursorOf = (m: StoredMessage): Cursor => ({ ts: m.ts, id: m.id });
const sameCursor = (a: Cursor | undefined, b: Cursor) => a?.ts === b.ts && a.id === b.id;

export class Conversations {
  readonly queue: GroupQueue;
  private readonly live = new Map<string, LiveRun>();
  private readonly lastError = new Map<string, string>();
  /** The chat a group's last run answered (where a failure is reported). */
  private readonly lastChat = new Map<string, string>();

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
    const seen = { kind: message.chatKind ?? 'group', at: this.deps.now() } as const;
    const group = this.deps.groups.getByChat(message.chatId);
    if (!group) return unregistered(this.deps, channel, message, seen);
    const owners = [...this.deps.ownerIds, ...this.deps.pairing.owners()];
    const decision = senderDecision(group.senderPolicy, message.senderId, owners);
    if (decision === 'drop') {
      this.deps.log.debug(
        { chat: message.chatId },
        'message from a sender outside the policy dropped',
      );
      return;
    }
    this.deps.messages.upsertChat(message.chatId, channel, message.chatName, seen);
    const stored: StoredMessage = {
      chatId: message.chatId,
      id: message.id,
      ts: message.ts,
      senderId: message.senderId,
      senderName: message.senderName,
      content: message.text,
      fromAssistant: false,
      // Bots (this one or others) are context only: they never wake the agent (no loops).
      mayTrigger: decision === 'allow' && !message.fromBot,
      addressed: Boolean(message.mentionsBot || message.repliesToBot),
      attachments: (await this.deps.saveAttachments?.(group, message)) ?? [],
    };
    if (!this.deps.messages.insert(stored)) return; // a re-delivery: already handled
    this.deps.post.bus.emit('message', stored);
    this.wake(group);
  }

  /** The chat the live run `runId` is answering now (its tools' messages go there). */
  answering(runId: string): string | undefined {
    return this.answeringTurn(runId)?.chatId;
  }

  /**
   * The chat the live run `runId` is answering and the newest message handed to it: a tool's
   * message into that chat replies to it (threads on Slack and email), like the turn's result.
   */
  answeringTurn(runId: string): AnsweredTurn | undefined {
    for (const live of this.live.values()) {
      if (live.run.runId === runId) return { chatId: live.chatId, messageId: live.through.id };
    }
    return undefined;
  }

  /** A step of a run's team (a `delegate` worker): shown where the run answers, kept with its reply. */
  teamStep(runId: string, agent: string, text: string): void {
    for (const live of this.live.values()) {
      if (live.run.runId === runId)
        this.note(live, { chatId: live.chatId, kind: 'agent', agent, text });
    }
  }

  /**
   * Stops the turn answering `chatId` (its sandbox is killed): the chat is told, and what the
   * turn was answering is not retried. False when no turn is answering that chat.
   */
  stop(chatId: string): boolean {
    for (const [folder, live] of this.live)
      if (live.chatId === chatId) return this.stopGroup(folder);
    return false;
  }

  /** Stops the group's turn in progress, whichever chat it answers (the dashboard's Stop). */
  stopGroup(folder: string): boolean {
    const live = this.live.get(folder);
    if (!live || sameCursor(live.answered, live.through)) return false;
    live.stopped = true;
    live.stop.abort();
    return true;
  }

  /** The conversation runs alive now (for `nanoclaw status`). */
  liveRuns(): { group: string; runId: string; chatId: string; startedAt: number }[] {
    return [...this.live].map(([group, l]) => ({
      group,
      runId: l.run.runId,
      chatId: l.chatId,
      startedAt: l.startedAt,
    }));
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

  /**
   * Hands new work to a live run; false when the run cannot take it. Follow-ups from the chat it
   * is answering join the current turn. Another chat of the group is answered next: at once when
   * the run is between turns, else after this turn's reply.
   */
  private pipe(group: Group, live: LiveRun): boolean {
    const fresh = this.pending(live.chatId, live.through);
    if (shouldAnswer(group, this.deps.assistantName, fresh))
      return this.hand(group.folder, live, live.chatId, fresh);
    const between = sameCursor(live.answered, live.through);
    const other = between ? this.work(group.folder) : undefined;
    return other ? this.hand(group.folder, live, other.chatId, other.batch) : true;
  }

  /** Sends a batch into the live run; the run now answers that chat. */
  private hand(folder: string, live: LiveRun, chatId: string, batch: StoredMessage[]): boolean {
    if (!live.run.send(formatMessages(batch, this.deps.timezone), imagesOf(batch))) return false;
    this.recordTurn(folder, live.run.runId, chatId, batch, 'follow-up');
    if (chatId !== live.chatId) {
      this.deps.typing.stop(live.chatId);
      live.chatId = chatId;
      live.answered = undefined;
    }
    live.through = cursorOf(batch[batch.length - 1] as StoredMessage);
    this.clearIdle(live);
    this.deps.typing.start(chatId);
    return true;
  }

  /**
   * What the group should answer now: of its chats with a batch that wakes the agent, the one
   * waiting longest. Each chat keeps its own cursor; the group has one conversation.
   */
  private work(
    folder: string,
  ): { group: Group; chatId: string; batch: StoredMessage[] } | undefined {
    const group = this.deps.groups.get(folder);
    if (!group) return undefined;
    let best: { group: Group; chatId: string; batch: StoredMessage[] } | undefined;
    for (const chatId of this.deps.groups.chats(folder)) {
      const batch = this.pending(chatId, this.deps.messages.cursor(chatId));
      if (!shouldAnswer(group, this.deps.assistantName, batch)) continue;
      if (!best || (batch[0] as StoredMessage).ts < (best.batch[0] as StoredMessage).ts) {
        best = { group, chatId, batch };
      }
    }
    return best;
  }

  /** Waits for a sandbox slot (nothing to answer: none), answers, frees the slot. */
  private async processGroup(folder: string, signal: AbortSignal): Promise<RunResult> {
    const first = this.work(folder);
    if (!first) return true;
    const problems = this.deps.setupProblems();
    if (problems.length > 0) return this.answerSetup(first.chatId, first.batch, problems);
    if (this.deps.mayRun?.(folder, first.chatId) === false) return true;
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

  /**
   * A run could only fail (and be retried for minutes): answer at once with what to set, the
   * same "Action needed" text the web page's banner shows, and move the cursor past the batch.
   * Another chat of the group with work runs next (the queue is woken again).
   */
  private answerSetup(chatId: string, batch: StoredMessage[], problems: readonly string[]): true {
    const text = problems.map((p) => `Action needed: ${p}`).join('\n\n');
    const through = cursorOf(batch[batch.length - 1] as StoredMessage);
    this.commit({ chatId, through, answered: undefined }, text);
    this.deps.log.info({ chat: chatId }, 'message answered with setup advice: no model credential');
    const group = this.deps.groups.getByChat(chatId);
    if (group && this.work(group.folder)) this.queue.wake(group.folder);
    return true;
  }

  private async answer(
    { group, chatId, batch }: { group: Group; chatId: string; batch: StoredMessage[] },
    lease: Lease,
    signal: AbortSignal,
  ): Promise<RunResult> {
    const folder = group.folder;
    const prompt = formatMessages(batch, this.deps.timezone);
    const stop = new AbortController();
    const run = this.deps.startRun(
      group,
      prompt,
      AbortSignal.any([signal, stop.signal]),
      imagesOf(batch),
    );
    this.recordTurn(folder, run.runId, chatId, batch, 'started');
    const live: LiveRun = {
      stop,
      stopped: false,
      steps: [],
      run,
      lease,
      chatId,
      through: cursorOf(batch[batch.length - 1] as StoredMessage),
      answered: undefined,
      closing: false,
      idleTimer: undefined,
      startedAt: this.deps.now(),
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
    // Work for another of its chats that this run could not take: the group runs again.
    if (this.work(folder)) this.queue.wake(folder);
    this.lastChat.set(folder, live.chatId);
    const outcome = await run.finished;
    if (live.stopped) return this.stopped(live);
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
        this.commit(live, stripInternal(event.text), live.steps.splice(0));
        this.deps.typing.stop(live.chatId);
        // Another chat of the group waiting: answer it in the same run (same session).
        const next = sameCursor(live.answered, live.through) ? this.work(group.folder) : undefined;
        if (!next || !this.hand(group.folder, live, next.chatId, next.batch)) this.armIdle(live);
      } else if (event.type === 'tool' || event.type === 'agent' || event.type === 'text') {
        const activity = activityOf(live.chatId, event);
        if (activity) this.note(live, activity);
      } else if (event.type === 'error') {
        this.deps.log.warn({ group: group.folder, err: event.message }, 'agent reported an error');
      }
    }
  }

  /** What the agent does: shown live; its steps (not its text on the way) kept for the reply. */
  private note(live: LiveRun, activity: Activity): void {
    this.deps.post.bus.emit('activity', activity);
    const { kind, text, agent } = activity;
    if (kind !== 'text' && live.steps.length < MAX_STEPS)
      live.steps.push({ at: this.deps.now(), text, ...(agent ? { agent } : {}) });
  }

  /** A stopped turn: the chat is told, and the cursor moves past what it was answering. */
  private stopped(live: LiveRun): true {
    if (!sameCursor(live.answered, live.through))
      this.commit(live, 'Stopped.', live.steps.splice(0));
    this.deps.log.info({ chat: live.chatId }, 'turn stopped by the user');
    return true;
  }

  private commit(
    live: Pick<LiveRun, 'chatId' | 'through' | 'answered'>,
    text: string,
    steps: readonly Step[] = [],
  ): void {
    const now = this.deps.now();
    // Never dated before what it answers: an instant reply (or a channel whose clock is ahead
    // of ours) would otherwise sort before the question in the history.
    const ts = Math.max(now, live.through.ts + 1);
    const reply = text ? { text, senderName: this.deps.assistantName, ts } : undefined;
    const item = this.deps.messages.commitReply(live.chatId, live.through, reply, now);
    live.answered = live.through;
    if (!item) return;
    this.deps.steps?.save(live.chatId, item.messageId, steps);
    this.deps.post.bus.emit('message', outboxMessage(item, this.deps.assistantName, ts));
    this.deps.post.outbox.kick();
  }

  /** The durable link from messages to the run they were handed to (see `audit` above). */
  private recordTurn(
    folder: string,
    runId: string,
    chatId: string,
    batch: readonly StoredMessage[],
    decision: 'started' | 'follow-up',
  ): void {
    const from = batch[0];
    const through = batch[batch.length - 1];
    if (!from || !through) return;
    this.deps.audit?.({
      kind: 'sandbox',
      group: folder,
      runId,
      action: 'turn',
      decision,
      detail: { chatId, from: cursorOf(from), through: cursorOf(through), messages: batch.length },
    });
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
    const chatId = this.lastChat.get(folder) ?? group?.chatId;
    if (!chatId) return;
    const reason = this.lastError.get(folder) ?? 'unknown error';
    const text =
      `Sorry, I could not answer (${reason}). ` + 'I will try again when you send another message.';
    try {
      postAssistantMessage(this.deps.post, chatId, text);
    } catch (error) {
      this.deps.log.error({ group: folder, err: errorMessage(error) }, 'could not report failure');
    }
  }
}
