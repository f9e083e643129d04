/**
 * A Bolt receiver for Socket Mode that acknowledges an event only after it was handled, i.e.
 * after the host stored the message. Bolt's own SocketModeReceiver acknowledges Events API
 * envelopes before any listener runs, so a crash between its ack and the store would lose the
 * message; here an envelope whose handling failed (or that a crash interrupted) stays
 * unacknowledged and Slack delivers it again, deduplicated by the message id.
 *
 * One `connect()` opens one connection (the library's own reconnect is off: the channel's
 * supervisor reconnects with its own backoff and reports health); it resolves with a promise
 * that settles when that connection closes.
 */
import type { App, Logger as SlackLogger, Receiver } from '@slack/bolt';
import { SocketModeClient } from '@slack/socket-mode';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface ReceiverOptions {
  appToken: string;
  apiUrl: string;
  slackLogger: SlackLogger;
  log: Logger;
  redact(text: string): string;
  /** How long the client waits for a pong to its pings, and for the server's pings. */
  clientPingTimeoutMs: number;
  serverPingTimeoutMs: number;
}

interface SocketEvent {
  ack(response?: Record<string, unknown>): Promise<void>;
  type: string;
  body: Record<string, unknown>;
  retry_num?: number;
  retry_reason?: string;
}

/** The socket closed before Slack's `hello` (the handshake was refused or cut). */
export class SocketClosedError extends Error {}

export class AckAfterStoreReceiver implements Receiver {
  private app: App | undefined;
  private client: SocketModeClient | undefined;
  /** Events are handled one at a time, in the order Slack sent them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** Bolt's start(): one connection, as connect(). */
  async start(): Promise<void> {
    await this.connect();
  }

  /**
   * Opens a connection: resolves once Slack said hello, with a promise that resolves when this
   * connection closes (for whatever reason); rejects when it could not be opened.
   */
  async connect(): Promise<{ closed: Promise<void> }> {
    await this.stop();
    const { appToken, apiUrl, slackLogger } = this.options;
    const client = new SocketModeClient({
      appToken,
      logger: slackLogger,
      autoReconnectEnabled: false,
      clientPingTimeout: this.options.clientPingTimeoutMs,
      serverPingTimeout: this.options.serverPingTimeoutMs,
      // No retries inside the library: a refused app token must surface at once.
      clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
    });
    client.on('slack_event', (event: SocketEvent) => {
      this.queue = this.queue.then(() => this.dispatch(event));
    });
    this.client = client;
    const closed = new Promise<void>((resolve) => client.once('disconnected', () => resolve()));
    try {
      await client.start();
    } catch (error) {
      client.removeAllListeners('slack_event');
      if (error === undefined) {
        throw new SocketClosedError('the Socket Mode connection closed before Slack said hello');
      }
      throw error;
    }
    return { closed };
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners('slack_event');
    await client.disconnect();
  }

  private async dispatch(event: SocketEvent): Promise<void> {
    const { app } = this;
    if (event.type !== 'events_api' || !app) {
      // Not subscribed (interactivity, slash commands): answered so Slack stops resending.
      await event.ack().catch(() => undefined);
      return;
    }
    try {
      await app.processEvent({
        body: event.body,
        ack: async () => undefined, // the real ack follows the store, below
        ...(event.retry_num !== undefined ? { retryNum: event.retry_num } : {}),
        ...(event.retry_reason !== undefined ? { retryReason: event.retry_reason } : {}),
      });
    } catch (error) {
      this.options.log.warn(
        { err: this.options.redact(errorMessage(error)) },
        'storing a Slack event failed; it stays unacknowledged and Slack delivers it again',
      );
      return;
    }
    await event.ack().catch((error: unknown) => {
      // The socket closed after the store: Slack redelivers, the store ignores the copy.
      this.options.log.debug({ err: this.options.redact(errorMessage(error)) }, 'ack failed');
    });
  }
}
