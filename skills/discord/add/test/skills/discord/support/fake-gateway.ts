/**
 * The Gateway half of the fake Discord: a `ws` server speaking Gateway v10 in JSON (no
 * compression; discord.js uses none without the optional zlib-sync). HELLO on connect,
 * HEARTBEAT → HEARTBEAT_ACK, IDENTIFY (token checked, else close 4004; privileged intents
 * refused with 4014 when told) → READY + GUILD_CREATE, RESUME → the missed dispatches + RESUMED
 * (or INVALID_SESSION for an unknown session). A session keeps its dispatches with their
 * sequence numbers, so a resume replays what a dropped connection missed, as Discord does.
 * Tests push MESSAGE_CREATE, send op 7 RECONNECT or op 9 INVALID_SESSION, or drop the socket.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface GatewayState {
  identifies: number;
  resumes: number;
  heartbeats: number;
  connections: number;
  /** Close codes the fake sent. */
  closes: number[];
}

interface Session {
  id: string;
  seq: number;
  events: { s: number; t: string; d: unknown }[];
  socket?: WebSocket;
}

export interface GatewayOptions {
  token: string;
  heartbeatMs: number;
  url: () => string;
  ready: (sessionId: string) => unknown;
  guildCreate: () => unknown;
}

/** MESSAGE_CONTENT (1 << 15) is privileged: Discord refuses it unless enabled in the portal. */
const MESSAGE_CONTENT = 1 << 15;

export class FakeGateway {
  readonly state: GatewayState = {
    identifies: 0,
    resumes: 0,
    heartbeats: 0,
    connections: 0,
    closes: [],
  };
  /** When false, IDENTIFY with the MESSAGE_CONTENT intent is closed with 4014. */
  messageContentAllowed = true;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private current: Session | undefined;
  private nextSession = 1;

  constructor(private readonly options: GatewayOptions) {}

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
  }

  /** Sends a dispatch to the current session (kept for a resume if nobody is connected). */
  dispatch(t: string, d: unknown): void {
    const session = this.current;
    if (!session) throw new Error('fake Discord gateway: no session (the bot never identified)');
    const event = { s: ++session.seq, t, d };
    session.events.push(event);
    session.socket?.send(JSON.stringify({ op: 0, ...event }));
  }

  /** The live socket of the current session, if any. */
  get socket(): WebSocket | undefined {
    return this.current?.socket;
  }

  /** Cuts the connection without a close frame (like a network drop). */
  drop(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** op 7: the client should reconnect and resume. */
  reconnect(): void {
    this.socket?.send(JSON.stringify({ op: 7, d: null }));
  }

  /** op 9; `resumable` false ends the session (the client must IDENTIFY again). */
  invalidSession(resumable: boolean): void {
    if (!resumable && this.current) this.sessions.delete(this.current.id);
    this.socket?.send(JSON.stringify({ op: 9, d: resumable }));
  }

  close(): void {
    this.drop();
    this.wss.close();
  }

  private connected(ws: WebSocket): void {
    this.state.connections += 1;
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.options.heartbeatMs } }));
    ws.on('message', (raw: Buffer) => {
      let payload: { op?: number; d?: Record<string, unknown> | null };
      try {
        payload = JSON.parse(raw.toString()) as typeof payload;
      } catch {
        ws.close(4002, 'Decode error');
        return;
      }
      this.onPayload(ws, payload.op, payload.d ?? {});
    });
    ws.on('close', () => {
      for (const s of this.sessions.values()) if (s.socket === ws) delete s.socket;
    });
  }

  private closeWith(ws: WebSocket, code: number, reason: string): void {
    this.state.closes.push(code);
    ws.close(code, reason);
  }

  private onPayload(ws: WebSocket, op: number | undefined, d: Record<string, unknown>): void {
    if (op === 1) {
      this.state.heartbeats += 1;
      ws.send(JSON.stringify({ op: 11 }));
    } else if (op === 2) {
      this.identify(ws, d);
    } else if (op === 6) {
      this.resume(ws, d);
    }
  }

  private identify(ws: WebSocket, d: Record<string, unknown>): void {
    this.state.identifies += 1;
    if (d.token !== this.options.token) return this.closeWith(ws, 4004, 'Authentication failed.');
    const intents = Number(d.intents ?? 0);
    if ((intents & MESSAGE_CONTENT) !== 0 && !this.messageContentAllowed) {
      return this.closeWith(ws, 4014, 'Disallowed intent(s).');
    }
    const session: Session = {
      id: `session-${this.nextSession++}`,
      seq: 0,
      events: [],
      socket: ws,
    };
    this.sessions.set(session.id, session);
    this.current = session;
    this.dispatch('READY', this.options.ready(session.id));
    this.dispatch('GUILD_CREATE', this.options.guildCreate());
  }

  private resume(ws: WebSocket, d: Record<string, unknown>): void {
    this.state.resumes += 1;
    const session = this.sessions.get(String(d.session_id));
    if (d.token !== this.options.token) return this.closeWith(ws, 4004, 'Authentication failed.');
    if (!session) {
      ws.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    session.socket = ws;
    this.current = session;
    const from = Number(d.seq ?? 0);
    for (const e of session.events.filter((x) => x.s > from)) {
      ws.send(JSON.stringify({ op: 0, ...e }));
    }
    this.dispatch('RESUMED', null);
  }
}
