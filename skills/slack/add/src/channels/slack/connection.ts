/**
 * The connection, supervised: who the bot is (auth.test with the bot token), then one Socket
 * Mode connection at a time (apps.connections.open with the app token, then the WebSocket).
 * A drop, a `disconnect` from Slack, a network error: reconnecting with backoff and jitter,
 * reported once per change of state. Only a refused token stops, as `failed` with the fix.
 */
import type { ChannelHealth } from '../channel.js';
import type { BotIdentity } from './event.js';
import {
  backoffDelay,
  classifyConnectError,
  sleep,
  type Backoff,
  type HealthReporter,
  type TokenKind,
} from './health.js';

export interface ConnectionTiming {
  backoff: Backoff;
  random: () => number;
}

export interface ConnectionDeps {
  health: HealthReporter;
  timing: ConnectionTiming;
  apiUrl: string;
  redact(text: string): string;
  /** auth.test: the bot's identity; throws a web-api error when refused. */
  identify(signal: AbortSignal): Promise<BotIdentity>;
  /** Opens one Socket Mode connection; `closed` settles when it ends. */
  connect(bot: BotIdentity): Promise<{ closed: Promise<void> }>;
}

const aborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));

export class Connection {
  private bot: BotIdentity | undefined;

  constructor(private readonly deps: ConnectionDeps) {}

  /** Runs until `signal` aborts or a token is refused; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const { health, timing } = this.deps;
    let attempt = 0;
    while (!signal.aborted) {
      let stage: TokenKind = 'bot';
      let next: Extract<ChannelHealth, { state: 'reconnecting' }>;
      try {
        const bot = this.bot ?? (await this.deps.identify(signal));
        this.bot = bot;
        if (signal.aborted) break;
        stage = 'app';
        const { closed } = await this.deps.connect(bot);
        health.set({ state: 'connected' });
        await Promise.race([closed, aborted(signal)]);
        if (signal.aborted) break;
        attempt = 1;
        const retryInMs = backoffDelay(attempt, timing.backoff, timing.random);
        next = { state: 'reconnecting', reason: 'the Socket Mode connection closed', retryInMs };
      } catch (error) {
        if (signal.aborted) break;
        const failure = classifyConnectError(error, stage, this.deps.apiUrl, this.deps.redact);
        if (failure.kind === 'failed') {
          health.set({ state: 'failed', reason: failure.reason, fix: failure.fix });
          return;
        }
        attempt += 1;
        const retryInMs =
          failure.retryAfterMs ?? backoffDelay(attempt, timing.backoff, timing.random);
        next = { state: 'reconnecting', reason: failure.reason, retryInMs };
      }
      health.set(next);
      await sleep(next.retryInMs, signal);
    }
  }
}
