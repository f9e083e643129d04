/**
 * Starts the web channel in-process with real parts (SQLite file, stores, event bus) and a
 * scripted "agent" that answers each message, for web API, terminal chat and browser tests.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';
import type {
  Channel,
  ChannelDeps,
  OutboundMessage,
  ChannelStatus,
  InboundMessage,
} from '../../src/channels/channel.js';
import { createWebChannel, type WebChannel } from '../../src/channels/web/server.js';
import { saveAttachments } from '../../src/conversation/attachments.js';
import { EventBus, type BusEvents } from '../../src/conversation/bus.js';
import { Outbox } from '../../src/conversation/outbox.js';
import { postAssistantMessage } from '../../src/conversation/post.js';
import { groupPaths } from '../../src/groups/workspace.js';
import { openStore, type Store } from '../../src/host.js';
import { acquireHostLock } from '../../src/host-lock.js';
import { silentLogger } from '../../src/log.js';
import { outboxMessage, type StoredMessage } from '../../src/store/messages.js';
import { usageSummary } from '../../src/usage/summary.js';
import { APP_ROOT } from './cli.js';

/** What the scripted agent sends for "[send-file]": HTML that must never render. */
export const HOSTILE_FILE = {
  name: 'report.html',
  mime: 'text/html',
  bytes: Buffer.from('<script>document.title = "pwned"</script><h1>report</h1>'),
};

export interface WebHarness {
  web: WebChannel;
  store: Store;
  bus: EventBus;
  /** The data directory (NANOCLAW_HOME). */
  home: string;
  config: Config;
  /** Mutable: what `status()` reports as problems. */
  problems: string[];
  /** Mutable: the channel states `status()` reports. */
  channels: ChannelStatus[];
  /** Mutable: channels besides the web one that the real outbox delivers to. */
  otherChannels: Channel[];
  /** Stops the web channel and starts a new one on the same port (same store and bus). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface WebHarnessOptions {
  env?: Record<string, string>;
  /** How long the scripted agent "types" before its reply is stored. */
  replyDelayMs?: number;
  bus?: EventBus;
}

export async function startWebHarness(options: WebHarnessOptions = {}): Promise<WebHarness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-web-'));
  const config = loadConfig({ NANOCLAW_HOME: home, WEB_PORT: '0', ...options.env }, APP_ROOT);
  const store = openStore(config);
  store.groups.ensure(
    { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
    new Date(),
  );
  store.messages.upsertChat('web:main', 'web', 'Main');
  const bus = options.bus ?? new EventBus();
  const problems: string[] = [];
  const channels: ChannelStatus[] = [];
  const timers = new Set<NodeJS.Timeout>();
  /** The scripted agent's pending reply per chat (what Stop cancels). */
  const pending = new Map<string, NodeJS.Timeout>();
  const replyDelayMs = options.replyDelayMs ?? 300;
  // Stands in for the conversation service: store, publish, then answer like an agent would.
  const receive = async (_channel: string, m: InboundMessage) => {
    const folder = store.groups.getByChat(m.chatId)?.folder ?? 'main';
    // Files go into the group's inbox through the host's own attachment code.
    const attachments = await saveAttachments(
      {
        groupDir: groupPaths(config, folder).groupDir,
        owner: undefined,
        maxBytes: config.attachmentMaxBytes,
        timezone: config.timezone,
        alreadyStored: (chatId, id) => store.messages.has(chatId, id),
        log: silentLogger(),
      },
      m,
      AbortSignal.timeout(10_000),
    );
    const stored = {
      chatId: m.chatId,
      id: m.id,
      ts: m.ts,
      senderId: m.senderId,
      senderName: m.senderName,
      content: m.text,
      fromAssistant: false,
      ...(attachments.length ? { attachments } : {}),
    };
    store.messages.upsertChat(m.chatId, 'web', m.chatName);
    store.messages.insert(stored);
    bus.emit('message', stored);
    bus.emit('typing', { chatId: m.chatId, on: true });
    const reply = (text: string) => {
      const now = Date.now();
      // "[send-file]" in a message: the agent answers with a hostile HTML file (send_file).
      const file = m.text.includes('[send-file]') ? { file: HOSTILE_FILE } : {};
      const item = store.messages.enqueue(m.chatId, text, 'Andy', now, file);
      bus.emit('typing', { chatId: m.chatId, on: false });
      bus.emit('message', outboxMessage(item, 'Andy', now));
    };
    // "[slow]" in a message: the agent works for a minute (time to watch it, or to stop it).
    const delay = m.text.includes('[slow]') ? 60_000 : replyDelayMs;
    const timer = setTimeout(() => {
      timers.delete(timer);
      pending.delete(m.chatId);
      reply(`ECHO: ${m.text}`);
    }, delay);
    timers.add(timer);
    pending.set(m.chatId, timer);
    stoppers.set(m.chatId, () => reply('Stopped.'));
  };
  const stoppers = new Map<string, () => void>();
  const otherChannels: Channel[] = [];
  const outbox = new Outbox({
    messages: store.messages,
    channels: () => [web, ...otherChannels],
    now: Date.now,
    timers: { setTimeout, clearTimeout },
    log: silentLogger(),
    retryBaseMs: 50,
    retryMaxDelayMs: 200,
  });
  const post = { messages: store.messages, bus, outbox, assistantName: 'Andy', now: Date.now };
  const stop = (chatId: string): boolean => {
    const timer = pending.get(chatId);
    if (!timer) return false;
    clearTimeout(timer);
    timers.delete(timer);
    pending.delete(chatId);
    stoppers.get(chatId)?.();
    return true;
  };
  const deps = (web: Config['web']): ChannelDeps => ({
    config: { ...config, web },
    env: {},
    log: silentLogger(),
    bus,
    messages: store.messages,
    groups: store.groups,
    tasks: store.tasks,
    receive,
    stop,
    postAsAssistant: (chatId, text, sender) =>
      postAssistantMessage(post, chatId, text, sender ? { sender } : {}),
    status: () => ({
      assistantName: 'Andy',
      problems,
      channels,
      usage: usageSummary(store.usage, ['main', 'family'], Date.now()),
    }),
  });
  let web = createWebChannel(deps(config.web));
  await web.start();
  // Holds the data directory like `nanoclaw start` does, so `nanoclaw chat` finds this host.
  const lock = acquireHostLock(home, new Date());
  lock.publish(web.url);
  return {
    get web() {
      return web;
    },
    store,
    bus,
    home,
    config,
    problems,
    channels,
    otherChannels,
    async restart() {
      const port = Number(new URL(web.url).port);
      await web.stop();
      web = createWebChannel(deps({ ...config.web, port }));
      await web.start();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      await outbox.close();
      await web.stop();
      lock.release();
      store.db.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Counts live bus listeners: an open event stream holds two (message, typing). */
export class CountingBus extends EventBus {
  live = 0;

  override on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void) {
    const off = super.on(event, listener);
    this.live += 1;
    return () => {
      this.live -= 1;
      off();
    };
  }
}

/** A stand-in for a chat app's channel (none can run here): records what the outbox sends to `tg:` chats. */
export function recordingChannel(sent: OutboundMessage[]): Channel {
  return {
    name: 'telegram',
    ownsChat: (chatId) => chatId.startsWith('tg:'),
    start: async () => {},
    stop: async () => {},
    send: async (m) => {
      sent.push(m);
    },
    setTyping: async () => {},
  };
}

/**
 * Chats beyond `web:main`: main's Telegram DM `tg:42` (the owner replies as the bot) and the
 * family group's Telegram group `tg:-100` with one message (read-only from the web).
 */
export function setUpChats(harness: WebHarness) {
  const now = new Date();
  const { groups, messages } = harness.store;
  groups.addChat('main', 'tg:42', now);
  messages.upsertChat('tg:42', 'telegram', 'Alice (DM)');
  groups.ensure(
    { folder: 'family', name: 'Family', isMain: false, chatId: 'tg:-100', requiresTrigger: false },
    now,
  );
  messages.upsertChat('tg:-100', 'telegram', 'Family group');
  messages.insert({
    chatId: 'tg:-100',
    id: '0001',
    ts: now.getTime(),
    senderId: 'tg:7',
    senderName: 'Mum',
    content: 'Dinner at 7?',
    fromAssistant: false,
  });
}

/** A raw request, so tests can send Host and Origin headers that fetch would not allow. */
export function raw(
  url: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
) {
  const { port } = new URL(url);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A message from Mum stored in `chatId` as another channel's would be; announced on the bus as
 * the host does, unless `quiet` (a message the page must learn of some other way).
 */
export function storeElsewhere(
  harness: WebHarness,
  chatId: string,
  id: string,
  content: string,
  quiet = false,
): void {
  const m: StoredMessage = {
    chatId,
    id,
    ts: Date.now(),
    senderId: 'tg:7',
    senderName: 'Mum',
    content,
    fromAssistant: false,
  };
  harness.store.messages.insert(m);
  if (!quiet) harness.bus.emit('message', m);
}
