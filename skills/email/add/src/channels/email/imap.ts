/**
 * The INBOX, read over IMAP IDLE and supervised. Mail is handled in UID order; the cursor
 * (UIDVALIDITY + last UID) moves past a mail only after its handler resolved, i.e. after the host
 * stored it, so a crash or a failing store loses nothing (the host ignores a re-delivered id).
 * A new UIDVALIDITY (the mailbox was recreated) re-reads recent mail, and the handler skips what
 * was taken before by Message-ID. The first start takes only mail that arrives from then on.
 * Dropped connections are retried with backoff and jitter; only a refused login stops.
 */
import { ImapFlow, type MailboxObject } from 'imapflow';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import {
  backoffDelay,
  classifyImapError,
  sleep,
  type Backoff,
  type HealthReporter,
} from './health.js';
import type { TokenSource } from './oauth.js';
import type { EmailSettings } from './settings.js';
import { redact, secretsOf } from './settings.js';
import type { EmailState } from './state.js';
import { inboundId } from './threading.js';

export const MAILBOX = 'INBOX';

export interface InboxTiming {
  backoff: Backoff;
  random: () => number;
  /** Quiet time before IDLE starts after a command (imapflow's autoIdleDelay). */
  idleDelayMs: number;
  /** IDLE is renewed this often (servers drop an IDLE after about 30 minutes). */
  maxIdleMs: number;
}

/** One mail as fetched: the handler decides and stores it. */
export interface FetchedMail {
  id: string;
  uid: number;
  ts: number;
  source: Buffer;
  /** Only the first `maxMessageBytes` were fetched. */
  truncated: boolean;
}

export interface InboxDeps {
  settings: EmailSettings;
  state: EmailState;
  health: HealthReporter;
  timing: InboxTiming;
  log: Logger;
  tokens: TokenSource | undefined;
  maxMessageBytes: number;
  now: () => number;
  /** Handles one mail; resolving moves the cursor past it, throwing leaves it for a retry. */
  handle(mail: FetchedMail, signal: AbortSignal): Promise<void>;
  /** After a mail was handled: mark it \Seen for the user's mail client (best effort). */
  seen?: boolean;
}

const DAY_MS = 24 * 3600_000;

export class Inbox {
  private client: ImapFlow | undefined;

  constructor(private readonly deps: InboxDeps) {}

  /** Reads until `signal` aborts or the login is refused; never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const { health, timing, settings } = this.deps;
    const where = `${settings.imap.host}:${settings.imap.port}`;
    let attempt = 0;
    let tokenRetried = false;
    while (!signal.aborted) {
      let reason: string;
      try {
        await this.session(signal, () => {
          attempt = 0;
          tokenRetried = false;
        });
        if (signal.aborted) break;
        reason = `the IMAP server ${where} closed the connection`;
      } catch (error) {
        if (signal.aborted) break;
        const failure = classifyImapError(
          error,
          where,
          secretsOf(settings),
          this.deps.tokens !== undefined,
        );
        if (failure.kind === 'failed' && this.deps.tokens && !tokenRetried) {
          // An access token can be refused before its announced expiry: refresh once first.
          tokenRetried = true;
          this.deps.tokens.invalidate();
          continue;
        }
        if (failure.kind === 'failed') {
          health.set({ state: 'failed', reason: failure.reason, fix: failure.fix });
          return;
        }
        reason = failure.reason;
      }
      attempt += 1;
      const delay = backoffDelay(attempt, timing.backoff, timing.random);
      health.set({ state: 'reconnecting', reason, retryInMs: delay });
      await sleep(delay, signal);
    }
  }

  /** Ends the connection at once (stop, tests). */
  close(): void {
    this.client?.close();
  }

  private async connect(signal: AbortSignal): Promise<ImapFlow> {
    const { imap, auth } = this.deps.settings;
    const tokens = this.deps.tokens;
    const credentials =
      tokens !== undefined
        ? { user: imap.user, accessToken: await tokens.get(signal) }
        : { user: imap.user, pass: auth.kind === 'password' ? auth.imapPassword : '' };
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls === 'true',
      doSTARTTLS: imap.tls === 'starttls' ? true : imap.tls === 'false' ? false : undefined,
      auth: credentials,
      logger: false,
      autoIdleDelay: this.deps.timing.idleDelayMs,
      maxIdleTime: this.deps.timing.maxIdleMs,
    });
    // Without a listener an 'error' event would crash the host; the 'close' event follows it.
    client.on('error', (error: unknown) => {
      this.deps.log.debug(
        { err: redact(errorMessage(error), secretsOf(this.deps.settings)) },
        'IMAP error',
      );
    });
    await client.connect();
    return client;
  }

  /** One connection: catch up, then follow IDLE's EXISTS until the connection closes. */
  private async session(signal: AbortSignal, connected: () => void): Promise<void> {
    const client = await this.connect(signal);
    this.client = client;
    const onAbort = () => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      const box = await client.mailboxOpen(MAILBOX);
      this.deps.health.set({ state: 'connected' });
      connected();
      const syncer = new Syncer(client, box, this.deps, signal);
      client.on('exists', () => syncer.kick());
      syncer.kick();
      await closed;
      syncer.stop();
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.client = undefined;
      client.close();
    }
  }
}

/** Runs one sync at a time; a kick during a sync runs another after it; failures retry later. */
class Syncer {
  private running = false;
  private again = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly box: MailboxObject,
    private readonly deps: InboxDeps,
    private readonly signal: AbortSignal,
  ) {}

  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.loop();
  }

  stop(): void {
    clearTimeout(this.retry);
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.sync();
      } while (this.again && !this.signal.aborted);
      this.failures = 0;
    } catch (error) {
      if (this.signal.aborted || !this.client.usable) return;
      this.failures += 1;
      const delay = backoffDelay(this.failures, this.deps.timing.backoff, this.deps.timing.random);
      this.deps.log.warn(
        {
          attempt: this.failures,
          retryInMs: delay,
          err: redact(errorMessage(error), secretsOf(this.deps.settings)),
        },
        'taking a mail failed; it will be read again',
      );
      this.retry = setTimeout(() => this.kick(), delay);
    } finally {
      this.running = false;
    }
  }

  /** The UIDs to read now (the cursor is set to just before them). */
  private async pending(uidValidity: string): Promise<number[]> {
    const { state, log, now } = this.deps;
    const cursor = state.cursor(MAILBOX);
    const next = this.client.mailbox ? this.client.mailbox.uidNext : this.box.uidNext;
    if (!cursor) {
      log.info('email: first start, reading mail that arrives from now on');
      state.setCursor(MAILBOX, { uidValidity, lastUid: next - 1, lastTs: now() });
      return [];
    }
    if (cursor.uidValidity === uidValidity) {
      const found =
        (await this.client.search({ uid: `${cursor.lastUid + 1}:*` }, { uid: true })) || [];
      return found.filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
    }
    // The mailbox was recreated: its UIDs mean nothing now. Re-read what arrived since the last
    // mail handled (SEARCH SINCE has day granularity, so the arrival times filter); a mail taken
    // before is then skipped by its Message-ID.
    const since = new Date(cursor.lastTs - DAY_MS);
    const candidates = (await this.client.search({ since }, { uid: true })) || [];
    const found: number[] = [];
    if (candidates.length > 0) {
      const range = candidates.join(',');
      for await (const m of this.client.fetch(
        range,
        { uid: true, internalDate: true },
        { uid: true },
      )) {
        const ts = m.internalDate ? new Date(m.internalDate).getTime() : Infinity;
        if (ts >= cursor.lastTs) found.push(m.uid);
      }
    }
    found.sort((a, b) => a - b);
    log.warn(
      { uidValidity, found: found.length },
      'email: the INBOX changed its UIDVALIDITY; re-reading the mail that arrived since the last one handled',
    );
    state.setCursor(MAILBOX, {
      uidValidity,
      lastUid: (found[0] ?? next) - 1,
      lastTs: cursor.lastTs,
    });
    return found;
  }

  private async sync(): Promise<void> {
    const uidValidity = String(this.box.uidValidity);
    for (const uid of await this.pending(uidValidity)) {
      if (this.signal.aborted) return;
      const mail = await this.fetch(uidValidity, uid);
      if (mail) await this.deps.handle(mail, this.signal);
      const lastTs = mail?.ts ?? this.deps.state.cursor(MAILBOX)?.lastTs ?? this.deps.now();
      this.deps.state.setCursor(MAILBOX, { uidValidity, lastUid: uid, lastTs });
      if (mail && this.deps.seen !== false) {
        await this.client
          .messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
          .catch((error: unknown) => {
            this.deps.log.debug({ err: errorMessage(error) }, 'marking a mail seen failed');
          });
      }
    }
  }

  private async fetch(uidValidity: string, uid: number): Promise<FetchedMail | undefined> {
    const max = this.deps.maxMessageBytes;
    const meta = await this.client.fetchOne(
      String(uid),
      { uid: true, size: true, internalDate: true },
      { uid: true },
    );
    if (!meta) return undefined; // expunged meanwhile
    const truncated = (meta.size ?? 0) > max;
    const body = await this.client.fetchOne(
      String(uid),
      { uid: true, source: truncated ? { maxLength: max } : true },
      { uid: true },
    );
    if (!body || !body.source) return undefined;
    const date = meta.internalDate ? new Date(meta.internalDate).getTime() : NaN;
    return {
      id: inboundId(uidValidity, uid),
      uid,
      ts: Number.isFinite(date) ? date : this.deps.now(),
      source: body.source,
      truncated,
    };
  }
}
