/**
 * What every channel skill's adapter tests record of the host's side: received messages, seen
 * chats, health changes and every log line (at debug, so a test can prove what is and is not
 * logged), plus a way to replace what receive does. Each skill's harness builds its adapter with
 * `recorder.deps` and adds its own platform's fixtures.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { ChannelHealth, InboundMessage, SeenChat } from '../../src/channels/channel.js';

export interface HostRecorder {
  received: InboundMessage[];
  seen: SeenChat[];
  health: ChannelHealth[];
  logs: string[];
  /** The host's side as an adapter is given it (receive defaults to recording the message). */
  deps: {
    log: Logger;
    receive(channel: string, message: InboundMessage): Promise<void>;
    chatSeen(channel: string, chat: SeenChat): void;
    healthChanged(channel: string, health: ChannelHealth): void;
  };
  /** Replaces what the host's receive does (default: records the message). */
  onReceive(fn: (message: InboundMessage) => Promise<void>): void;
}

export function recordHost(): HostRecorder {
  const received: InboundMessage[] = [];
  const seen: SeenChat[] = [];
  const health: ChannelHealth[] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  let receive = async (message: InboundMessage): Promise<void> => {
    received.push(message);
  };
  return {
    received,
    seen,
    health,
    logs,
    deps: {
      log: pino({ level: 'debug' }, sink),
      receive: (_channel, message) => receive(message),
      chatSeen: (_channel, chat) => void seen.push(chat),
      healthChanged: (_channel, h) => void health.push(h),
    },
    onReceive(fn) {
      receive = fn;
    },
  };
}

/** Polls until `check` returns a value (or throws after `timeoutMs`). */
export async function until<T>(
  check: () => T | undefined | null | false | 0 | '',
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A port that was free a moment ago (for a host process, which needs a fixed one). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
