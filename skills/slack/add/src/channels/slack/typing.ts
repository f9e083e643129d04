/**
 * Slack has no "typing…" for bots outside its assistant threads, so the equivalent is a 👀
 * reaction (`eyes`) on the message being answered, added when the agent starts and removed when
 * it is done. The message is the chat's latest one from a person (the host names only the
 * chat); best effort: a failure is logged at debug and changes nothing else.
 */
import type { webApi } from '@slack/bolt';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

type WebClient = InstanceType<typeof webApi.WebClient>;

export const TYPING_REACTION = 'eyes';
const MAX_CHATS = 1000;
const STOP_GRACE_MS = 1000;

interface Target {
  channel: string;
  ts: string;
}

export class Typing {
  private readonly latest = new Map<string, Target>();
  private readonly shown = new Map<string, Target>();

  constructor(
    private readonly client: WebClient,
    private readonly log: Logger,
    private readonly redact: (s: string) => string,
  ) {}

  /** Remembers the chat's latest message from a person (the one a reply would answer). */
  lastMessage(chatId: string, channel: string, ts: string): void {
    this.latest.delete(chatId);
    if (this.latest.size >= MAX_CHATS) this.latest.clear();
    this.latest.set(chatId, { channel, ts });
  }

  async set(chatId: string, on: boolean): Promise<void> {
    const shown = this.shown.get(chatId);
    if (!on) {
      if (!shown) return;
      this.shown.delete(chatId);
      await this.call('reactions.remove', shown);
      return;
    }
    const target = this.latest.get(chatId);
    if (!target || (shown && shown.ts === target.ts)) return;
    if (shown) await this.call('reactions.remove', shown);
    this.shown.set(chatId, target);
    await this.call('reactions.add', target);
  }

  /** Takes the reactions still shown away (bounded: stopping must not wait for Slack). */
  async clear(): Promise<void> {
    const all = [...this.shown.values()];
    this.shown.clear();
    const removing = Promise.allSettled(all.map((t) => this.call('reactions.remove', t)));
    await Promise.race([removing, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
  }

  private async call(method: 'reactions.add' | 'reactions.remove', t: Target): Promise<void> {
    const args = { channel: t.channel, timestamp: t.ts, name: TYPING_REACTION };
    try {
      if (method === 'reactions.add') await this.client.reactions.add(args);
      else await this.client.reactions.remove(args);
    } catch (error) {
      this.log.debug({ method, err: this.redact(errorMessage(error)) }, 'typing reaction failed');
    }
  }
}
