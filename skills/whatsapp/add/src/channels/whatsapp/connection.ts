/**
 * Runs the connection state machine: creates sockets, wires their events into it, performs
 * its effects (connect, retry timers, pairing-code requests, closing) and hands open sockets
 * and their messages to the channel. Events of a replaced socket are ignored. Linking shows
 * the QR code in the terminal (once per code) and as a link prompt in the channel's health.
 */
import type { WAMessage } from 'baileys';
import { NanoClawError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ChannelHealth } from '../channel.js';
import { fileAuthState, type FileAuthState } from './auth-store.js';
import { healthOf, TYPE_CODE, type QrRenderer } from './link.js';
import {
  step,
  type ConnEvent,
  type ConnState,
  type Effect,
  type MachineContext,
} from './machine.js';
import { userOf } from './message.js';
import type { WhatsAppSettings } from './settings.js';
import type { WaLibrary, WaSocket } from './socket.js';

export interface ConnectionDeps {
  settings: WhatsAppSettings;
  log: Logger;
  library: () => Promise<WaLibrary>;
  qr: () => Promise<QrRenderer>;
  machine: Omit<MachineContext, 'linkMethod' | 'authDir'>;
  /** Where the terminal QR code goes (the host's stderr). */
  print(text: string): void;
  health(health: ChannelHealth): void;
  messages(messages: WAMessage[], socket: WaSocket): void;
}

const statusOf = (error: unknown): number | undefined => {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === 'number' ? code : undefined;
};

export class Connection {
  private state: ConnState = { kind: 'idle' };
  private socket: WaSocket | undefined;
  private generation = 0;
  private timer: NodeJS.Timeout | undefined;
  private qrImage: string | undefined;
  private printedQr: string | undefined;
  private printedCode: string | undefined;
  private readonly ctx: MachineContext;

  constructor(private readonly deps: ConnectionDeps) {
    this.ctx = {
      ...deps.machine,
      linkMethod: deps.settings.linkMethod,
      authDir: deps.settings.authDir,
    };
  }

  /** The socket while the connection is open. */
  get open(): WaSocket | undefined {
    return this.state.kind === 'open' ? this.socket : undefined;
  }

  get current(): ConnState {
    return this.state;
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  stop(): void {
    this.dispatch({ type: 'stop' });
  }

  private dispatch(event: ConnEvent): void {
    const { state, effects } = step(this.state, event, this.ctx);
    const before = this.state;
    this.state = state;
    for (const effect of effects) this.run(effect);
    // A retry's connecting stays "reconnecting" for the operator (one log line per outage).
    const retrying = state.kind === 'connecting' && state.attempt > 0;
    if (state !== before && !retrying) this.report();
  }

  private fail(reason: string, fix: string): void {
    this.state = { kind: 'failed', reason, fix };
    this.socket?.end(undefined);
    this.report();
  }

  private run(effect: Effect): void {
    switch (effect.type) {
      case 'connect':
        void this.connect().catch((error: unknown) => {
          const why = error instanceof NanoClawError ? error.message : errorMessage(error);
          this.fail(
            `cannot open the WhatsApp auth state: ${why}`,
            `Check ${this.ctx.authDir}, then restart NanoClaw.`,
          );
        });
        return;
      case 'schedule-retry':
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.dispatch({ type: 'retry' }), effect.ms);
        return;
      case 'request-code':
        this.requestCode();
        return;
      case 'close-socket':
        clearTimeout(this.timer);
        this.socket?.end(undefined);
        this.socket = undefined;
    }
  }

  private async connect(): Promise<void> {
    const library = await this.deps.library();
    const auth = await fileAuthState(this.ctx.authDir, library.codec);
    if (this.state.kind !== 'connecting') return; // stopped meanwhile
    const generation = ++this.generation;
    this.socket?.end(undefined);
    const socket = library.connect(auth.state, this.deps.log);
    this.socket = socket;
    const live = () => generation === this.generation && this.state.kind !== 'stopped';
    socket.ev.on('creds.update', () => void this.save(auth));
    socket.ev.on('connection.update', (update) => {
      if (!live()) return;
      if (update.qr) this.dispatch({ type: 'qr', qr: update.qr });
      if (update.connection === 'open') this.opened(socket);
      if (update.connection === 'close') {
        const error = update.lastDisconnect?.error;
        const status = statusOf(error);
        this.dispatch({
          type: 'close',
          ...(status !== undefined ? { status } : {}),
          message: error?.message ?? 'connection closed',
        });
      }
    });
    socket.ev.on('messages.upsert', ({ messages, type }) => {
      // 'append' is history and our own echoes; 'notify' is what arrived now.
      if (live() && type === 'notify') this.deps.messages(messages, socket);
    });
  }

  private save(auth: FileAuthState): Promise<void> {
    return auth.saveCreds().catch((error: unknown) => {
      this.deps.log.error({ err: errorMessage(error) }, 'saving the WhatsApp credentials failed');
    });
  }

  /** Open: but only for the account in WHATSAPP_ACCOUNT (a wrongly linked phone is refused). */
  private opened(socket: WaSocket): void {
    const linked = socket.user ? userOf(socket.user.id) : undefined;
    if (linked && linked !== this.deps.settings.account) {
      this.fail(
        `this device is linked to +${linked}, not to WHATSAPP_ACCOUNT +${this.deps.settings.account}`,
        `Set WHATSAPP_ACCOUNT=${linked} (nanoclaw skills add whatsapp --set WHATSAPP_ACCOUNT=${linked}), or unlink it on that phone and remove ${this.ctx.authDir}; then restart NanoClaw.`,
      );
      return;
    }
    this.dispatch({ type: 'open' });
  }

  private requestCode(): void {
    const socket = this.socket;
    const generation = this.generation;
    socket
      ?.requestPairingCode(this.deps.settings.account)
      .then((code) => {
        if (generation === this.generation) this.dispatch({ type: 'code', code });
      })
      .catch((error: unknown) => {
        this.deps.log.warn(
          { err: errorMessage(error) },
          'asking WhatsApp for a pairing code failed',
        );
      });
  }

  private report(): void {
    const state = this.state;
    const qr = state.kind === 'linking' ? state.qr : undefined;
    const code = state.kind === 'linking' ? state.code : undefined;
    if (code && code !== this.printedCode) {
      this.printedCode = code;
      this.deps.print(`\nWhatsApp pairing code: ${code} (${TYPE_CODE})\n`);
    }
    if (!qr) return this.deps.health(healthOf(state));
    if (qr !== this.printedQr) {
      this.printedQr = qr;
      void this.showQr(qr);
    } else {
      this.deps.health(healthOf(state, this.qrImage));
    }
  }

  private async showQr(qr: string): Promise<void> {
    try {
      const renderer = await this.deps.qr();
      const [image, terminal] = await Promise.all([renderer.image(qr), renderer.terminal(qr)]);
      if (this.state.kind !== 'linking' || this.state.qr !== qr) return; // a newer code came
      this.qrImage = image;
      this.deps.print(
        `\nWhatsApp: scan this QR code with your phone (WhatsApp → Settings → Linked devices → Link a device):\n${terminal}\n`,
      );
      this.deps.health(healthOf(this.state, image));
    } catch (error) {
      this.deps.log.error({ err: errorMessage(error) }, 'drawing the WhatsApp QR code failed');
    }
  }
}
