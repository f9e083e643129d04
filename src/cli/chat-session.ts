/**
 * One terminal conversation: follows the chat's event stream (reconnecting, and catching up from
 * the history each time it connects), posts the lines it is given, prints every message once,
 * and knows when the replies to its own lines are in. Event data is parsed with zod; a
 * malformed event is reported and skipped.
 */
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { UserError, errorMessage } from '../errors.js';
import { HostUnreachableError, MessageSchema, type ApiMessage, type ChatApi } from './chat-api.js';
import type { SseEvent } from './sse.js';

const SENDER_NAME = 'Terminal';
const HISTORY_LIMIT = 20;
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;
const TypingSchema = z.object({ on: z.boolean() });

export interface ChatSessionDeps {
  api: ChatApi;
  chatId: string;
  assistantName: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export class ChatSession {
  private readonly seen = new Set<string>();
  /** Ids of the messages this session posted: the user already sees them as typed. */
  private readonly mine = new Set<string>();
  /** People's messages that arrived while a post was unanswered: maybe our own. */
  private held: ApiMessage[] = [];
  private posting = 0;
  /** Replies still expected: one per line posted, less assistant messages since. */
  private awaiting = 0;
  private typing = false;
  private repliesIn: (() => void) | undefined;
  private readonly stop = new AbortController();

  constructor(private readonly deps: ChatSessionDeps) {}

  /** Talks until `input` ends and the replies are in (or `waitMs` passed). */
  async run(input: NodeJS.ReadableStream, waitMs: number, interactive: boolean): Promise<void> {
    let connected: () => void = () => {};
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const following = this.follow(() => connected());
    try {
      await Promise.race([ready, following]);
      if (interactive) this.deps.stderr.write('Type a message and press Enter (Ctrl-D to quit).\n');
      await Promise.race([this.sendAll(input), following]);
      await Promise.race([this.replies(waitMs, interactive), following]);
    } finally {
      this.repliesIn?.(); // clears the wait timer when the stream failed first
      this.stop.abort();
      await Promise.allSettled([following]);
    }
  }

  /**
   * Reads only once connected: a line sent earlier could be answered before the stream opens.
   * (readline starts consuming at creation, so it is created here, not earlier.)
   */
  private async sendAll(input: NodeJS.ReadableStream): Promise<void> {
    const lines = readline.createInterface({ input, crlfDelay: Infinity });
    this.stop.signal.addEventListener('abort', () => lines.close(), { once: true });
    for await (const line of lines) {
      if (line.trim()) await this.send(line);
    }
  }

  private async send(text: string): Promise<void> {
    this.posting += 1;
    // Counted before the post: the reply may arrive on the stream before the 201 does.
    this.awaiting += 1;
    try {
      const { id } = await this.deps.api.post(this.deps.chatId, text, SENDER_NAME);
      this.mine.add(id);
    } catch (error) {
      this.awaiting = Math.max(0, this.awaiting - 1);
      if (error instanceof HostUnreachableError) {
        this.deps.stderr.write(
          `Not sent: NanoClaw is not reachable at ${this.deps.api.baseUrl}.\n`,
        );
      } else if (error instanceof UserError) {
        this.deps.stderr.write(`Not sent: ${error.message}\n`);
      } else {
        throw error;
      }
    } finally {
      this.posting -= 1;
      if (this.posting === 0) this.releaseHeld();
    }
  }

  private replies(waitMs: number, interactive: boolean): Promise<void> {
    if (this.awaiting === 0) return Promise.resolve();
    // After Ctrl-D: say what the pause is, so it does not look like a hang.
    if (interactive) {
      this.deps.stderr.write(
        `Waiting up to ${waitMs / 1000} s for the answer to your last message… ` +
          'Ctrl-C to quit now (the answer still arrives in the chat).\n',
      );
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.deps.stderr.write(
          `No reply within ${waitMs / 1000} s; it will still appear in the chat when it comes.\n`,
        );
        resolve();
      }, waitMs);
      this.repliesIn = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Follows the event stream until stopped; only an API refusal (4xx) ends it early. */
  private async follow(onConnected: () => void): Promise<void> {
    let delayMs = RETRY_MIN_MS;
    let everConnected = false;
    let lost = false;
    while (!this.stop.signal.aborted) {
      try {
        for await (const event of this.deps.api.events(this.deps.chatId, this.stop.signal)) {
          if (event.event !== 'status') {
            this.onEvent(event);
            continue;
          }
          // Connected from here on: a drop during the catch-up is a reconnect, not "not running".
          everConnected = true;
          await this.catchUp();
          if (lost) this.deps.stderr.write('Reconnected.\n');
          lost = false;
          delayMs = RETRY_MIN_MS;
          onConnected();
        }
      } catch (error) {
        if (this.stop.signal.aborted) return;
        if (error instanceof UserError || !everConnected) throw error;
      }
      if (this.stop.signal.aborted) return;
      if (!lost) this.deps.stderr.write('Lost the connection to NanoClaw; reconnecting…\n');
      lost = true;
      // An abort ends the pause early; the loop condition then ends the loop.
      await sleep(delayMs, undefined, { signal: this.stop.signal }).catch(() => undefined);
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
    }
  }

  /** Messages stored while the stream was down (or before it opened). */
  private async catchUp(): Promise<void> {
    for (const m of await this.deps.api.history(this.deps.chatId, HISTORY_LIMIT)) this.receive(m);
  }

  private onEvent(event: SseEvent): void {
    const data = parseJson(event.data);
    if (event.event === 'typing') {
      const typing = TypingSchema.safeParse(data);
      if (typing.success) return this.setTyping(typing.data.on);
    } else if (event.event === 'message') {
      const message = MessageSchema.safeParse(data);
      if (message.success) return this.receive(message.data);
    } else {
      return; // an event this client does not show
    }
    this.deps.stderr.write(`(skipped a malformed "${event.event}" event from NanoClaw)\n`);
  }

  private setTyping(on: boolean): void {
    if (on && !this.typing) this.deps.stderr.write(`${this.deps.assistantName} is typing…\n`);
    this.typing = on;
  }

  private receive(m: ApiMessage): void {
    if (this.seen.has(m.id)) return;
    this.seen.add(m.id);
    if (m.fromAssistant) {
      this.typing = false;
      this.print(m);
      if (this.awaiting > 0) this.awaiting -= 1;
      if (this.awaiting === 0) this.repliesIn?.();
      return;
    }
    if (this.posting > 0) {
      this.held.push(m);
      return;
    }
    if (!this.mine.has(m.id)) this.print(m);
  }

  private releaseHeld(): void {
    const held = this.held;
    this.held = [];
    for (const m of held) if (!this.mine.has(m.id)) this.print(m);
  }

  private print(m: ApiMessage): void {
    const time = new Date(m.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    this.deps.stdout.write(`[${time}] ${m.sender}: ${m.text}\n`);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return { malformed: errorMessage(error) }; // fails the schema: reported by the caller
  }
}
