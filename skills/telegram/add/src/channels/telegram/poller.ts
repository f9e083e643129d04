/**
 * Long polling, supervised. An update's offset is confirmed (sent with the next getUpdates) only
 * after its handler resolved, i.e. after the host stored the message: a crash or a failing store
 * loses nothing, and the re-delivered update is deduplicated by message id. grammY's own
 * `bot.start()` would confirm an update whose handler threw, so this loop calls getUpdates
 * itself. Connection failures are retried with backoff and jitter; only a refused token stops.
 */
import type { Update } from 'grammy/types';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { BotApi } from './api.js';
import { backoffDelay, classifyPollError, type Backoff, type HealthReporter } from './health.js';
import { redact, type TelegramSettings } from './settings.js';
import type { BotIdentity } from './update.js';
import { sleep } from '../retry.js';

export interface PollTiming {
  /** Long-poll timeout in seconds (Telegram holds the request open this long). */
  pollTimeoutS: number;
  backoff: Backoff;
  /** First delay before a batch whose handler failed is fetched again (then doubling). */
  handlerRetryMs: number;
  random: () => number;
}

export interface PollerDeps {
  api: BotApi;
  settings: TelegramSettings;
  health: HealthReporter;
  timing: PollTiming;
  log: Logger;
  /** Handles one update; throwing leaves it unconfirmed (it is fetched again). */
  handle(update: Update, bot: BotIdentity, signal: AbortSignal): Promise<void>;
}

const ALLOWED_UPDATES = ['message', 'my_chat_member'] as const;

export class Poller {
  private offset = 0;
  private bot: BotIdentity | undefined;
  /** Handler failures in a row: each waits longer before the batch is fetched again. */
  private handlerFailures = 0;

  constructor(private readonly deps: PollerDeps) {}

  /** The next offset to confirm (for the final confirmation on stop). */
  get confirmedOffset(): number {
    return this.offset;
  }

  /** Polls until `signal` aborts or the token is refused; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const { api, health, timing } = this.deps;
    let attempt = 0;
    // After an outage a short poll proves the connection at once; after a 409 only a full long
    // poll without conflict does (otherwise two instances would flap between states).
    let proveWithLongPoll = false;
    while (!signal.aborted) {
      try {
        const bot = this.bot ?? (await this.identify(signal));
        const timeout =
          proveWithLongPoll || health.get().state === 'connected' ? timing.pollTimeoutS : 0;
        const updates = await api.getUpdates(
          { offset: this.offset, timeout, allowedUpdates: ALLOWED_UPDATES },
          AbortSignal.any([signal, AbortSignal.timeout((timeout + 15) * 1000)]),
        );
        health.set({ state: 'connected' });
        attempt = 0;
        proveWithLongPoll = false;
        await this.handleBatch(updates, bot, signal);
      } catch (error) {
        if (signal.aborted) break;
        const failure = classifyPollError(
          error,
          this.deps.settings.apiRoot,
          this.deps.settings.token,
        );
        if (failure.kind === 'failed') {
          health.set({ state: 'failed', reason: failure.reason, fix: failure.fix });
          return;
        }
        attempt += 1;
        proveWithLongPoll = failure.conflict === true;
        if (failure.webhookSet) this.bot = undefined; // identify() deletes the webhook again
        const delay = failure.retryAfterMs ?? backoffDelay(attempt, timing.backoff, timing.random);
        health.set({ state: 'reconnecting', reason: failure.reason, retryInMs: delay });
        await sleep(delay, signal);
      }
    }
  }

  /** Who the bot is (for mentions and replies); a webhook left set would block getUpdates. */
  private async identify(signal: AbortSignal): Promise<BotIdentity> {
    const me = await this.deps.api.getMe(signal);
    await this.deps.api.deleteWebhook(signal);
    this.bot = { id: me.id, username: me.username };
    return this.bot;
  }

  /** Handles updates in order; stops at the first failure, which stays unconfirmed. */
  private async handleBatch(
    updates: readonly Update[],
    bot: BotIdentity,
    signal: AbortSignal,
  ): Promise<void> {
    for (const update of updates) {
      try {
        await this.deps.handle(update, bot, signal);
      } catch (error) {
        if (signal.aborted) return;
        this.handlerFailures += 1;
        const { handlerRetryMs, backoff, random } = this.deps.timing;
        const delay = backoffDelay(
          this.handlerFailures,
          { baseMs: handlerRetryMs, maxMs: backoff.maxMs },
          random,
        );
        this.deps.log.warn(
          {
            update: update.update_id,
            attempt: this.handlerFailures,
            retryInMs: delay,
            err: redact(errorMessage(error), this.deps.settings.token),
          },
          'storing a Telegram update failed; it will be fetched again',
        );
        await sleep(delay, signal);
        return;
      }
      this.handlerFailures = 0;
      this.offset = update.update_id + 1;
    }
  }
}
