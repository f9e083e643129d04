/**
 * The gateway connection, supervised. discord.js (with @discordjs/ws) heartbeats, RESUMEs after
 * a drop, answers RECONNECT (op 7) and re-IDENTIFYs after an invalid session (op 9) by itself,
 * but it retries a dead gateway every 500 ms for ever. So: its own resume gets `libraryRetries`
 * tries; then this supervisor destroys the client and logs in afresh with exponential backoff
 * and jitter. Fatal close codes (4004 bad token, 4014 missing intent) end in `failed` with the
 * fix. Dispatches are read raw (READY, GUILD_CREATE, MESSAGE_CREATE) and handed on in order.
 */
import { Client, Events, GatewayIntentBits, Partials } from 'discord.js';
import { z } from 'zod';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import {
  backoffDelay,
  classifyClose,
  classifyLoginError,
  type Backoff,
  type Failure,
  type HealthReporter,
} from './health.js';
import type { BotIdentity, Place } from './message.js';
import { redact, type DiscordSettings } from './settings.js';
import { sleep } from '../retry.js';

export interface GatewayTiming {
  backoff: Backoff;
  random: () => number;
  /** Drops the library may try to resume from before the supervisor takes over. */
  libraryRetries: number;
}

export interface GatewayDeps {
  settings: DiscordSettings;
  log: Logger;
  health: HealthReporter;
  timing: GatewayTiming;
  /** A MESSAGE_CREATE's data, in gateway order; resolves once handled. */
  onMessage(data: unknown, bot: BotIdentity, place: Place, signal: AbortSignal): Promise<void>;
  /** A fresh session began (IDENTIFY, not RESUME): what was missed is not replayed. */
  onSession(bot: BotIdentity, signal: AbortSignal): Promise<void>;
  /** A text channel of a guild the bot is in (discovery). */
  onChannel(channelId: string, place: Place): void;
}

type End = Failure | { kind: 'stopped' };

const Ready = z.object({
  user: z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish() }),
});
const GuildCreate = z.object({
  id: z.string(),
  name: z.string().optional(),
  channels: z
    .array(z.object({ id: z.string(), name: z.string().optional(), type: z.number() }))
    .default([]),
});
/** Channel types people write in: GUILD_TEXT, GUILD_ANNOUNCEMENT. */
const TEXT_CHANNELS = new Set([0, 5]);
const Packet = z.object({ t: z.string().nullish(), d: z.unknown() });

export class Gateway {
  private bot: BotIdentity | undefined;
  private readonly places = new Map<string, Place>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: GatewayDeps) {}

  /** Runs until `signal` aborts or a fatal failure (then health stays `failed`). */
  async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      const { end, connected } = await this.session(signal);
      if (end.kind === 'stopped') break;
      if (end.kind === 'failed') {
        this.deps.health.set({ state: 'failed', reason: end.reason, fix: end.fix });
        break;
      }
      attempt = connected ? 1 : attempt + 1;
      const delay = backoffDelay(attempt, this.deps.timing.backoff, this.deps.timing.random);
      this.deps.health.set({ state: 'reconnecting', reason: end.reason, retryInMs: delay });
      await sleep(delay, signal);
    }
    await this.queue;
  }

  /** One client's life: login, then until a fatal close, too many drops, or stop. */
  private async session(signal: AbortSignal): Promise<{ end: End; connected: boolean }> {
    const client = new Client({
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.MessageContent,
      ],
      // DMs arrive in channels discord.js has not cached.
      partials: [Partials.Channel],
      rest: { api: this.deps.settings.apiUrl },
    });
    let connected = false;
    let drops = 0;
    const end = await new Promise<End>((resolve) => {
      const onAbort = () => resolve({ kind: 'stopped' });
      signal.addEventListener('abort', onAbort, { once: true });
      const up = () => {
        connected = true;
        drops = 0;
        this.deps.health.set({ state: 'connected' });
      };
      client.on(Events.ShardReady, up);
      client.on(Events.ShardResume, up);
      client.on(Events.ShardReconnecting, () => {
        drops += 1;
        if (drops > this.deps.timing.libraryRetries) {
          resolve({ kind: 'retry', reason: 'the gateway connection was lost and resuming failed' });
          return;
        }
        const reason = 'the gateway connection dropped; resuming';
        this.deps.health.set({ state: 'reconnecting', reason, retryInMs: 500 });
      });
      client.on(Events.ShardDisconnect, (event) => resolve(classifyClose(event.code)));
      client.on(Events.ShardError, (error) =>
        this.deps.log.debug({ err: this.safe(error) }, 'discord gateway error'),
      );
      client.on(Events.Error, (error) =>
        this.deps.log.warn({ err: this.safe(error) }, 'discord client error'),
      );
      client.on(Events.Raw, (packet: unknown) => this.dispatch(packet, signal));
      client.login(this.deps.settings.token).catch((error: unknown) => {
        resolve(classifyLoginError(error, this.deps.settings.apiUrl, this.deps.settings.token));
      });
    });
    client.removeAllListeners();
    // An 'error' event without a listener would throw: the dying client still gets one.
    client.on(Events.Error, (error) =>
      this.deps.log.debug({ err: this.safe(error) }, 'discord client error while closing'),
    );
    await client.destroy().catch((error: unknown) => {
      this.deps.log.debug({ err: this.safe(error) }, 'closing the discord client failed');
    });
    return { end, connected };
  }

  private dispatch(raw: unknown, signal: AbortSignal): void {
    const packet = Packet.safeParse(raw);
    if (!packet.success) return;
    const { t, d } = packet.data;
    if (t === 'READY') {
      const ready = Ready.safeParse(d);
      if (ready.success) {
        const u = ready.data.user;
        const bot = { id: u.id, name: u.global_name || u.username };
        this.bot = bot;
        this.enqueue(() => this.deps.onSession(bot, signal));
      }
    } else if (t === 'GUILD_CREATE') {
      this.guild(d);
    } else if (t === 'MESSAGE_CREATE' && this.bot) {
      const bot = this.bot;
      const channelId = (d as { channel_id?: unknown } | null)?.channel_id;
      const place = (typeof channelId === 'string' && this.places.get(channelId)) || {};
      // One at a time, in gateway order: the store sees the chat's messages as sent.
      this.enqueue(() => this.deps.onMessage(d, bot, place, signal));
    }
  }

  /** What the adapter knows of a guild channel (from GUILD_CREATE). */
  place(channelId: string): Place {
    return this.places.get(channelId) ?? {};
  }

  private enqueue(job: () => Promise<void>): void {
    this.queue = this.queue.then(job).catch((error: unknown) => {
      this.deps.log.error({ err: this.safe(error) }, 'handling a discord event failed');
    });
  }

  private guild(d: unknown): void {
    const guild = GuildCreate.safeParse(d);
    if (!guild.success) return;
    for (const channel of guild.data.channels) {
      if (!TEXT_CHANNELS.has(channel.type)) continue;
      const place: Place = {
        ...(guild.data.name ? { guildName: guild.data.name } : {}),
        ...(channel.name ? { channelName: channel.name } : {}),
      };
      this.places.set(channel.id, place);
      this.deps.onChannel(channel.id, place);
    }
  }

  private safe(error: unknown): string {
    return redact(errorMessage(error), this.deps.settings.token);
  }
}
