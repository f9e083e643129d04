/**
 * Starts the web channel in-process with real parts (SQLite file, stores, event bus) and a
 * scripted "agent" that answers each message, for web API and browser tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import type { InboundMessage } from '../../src/channels/channel.js';
import { createWebChannel, type WebChannel } from '../../src/channels/web/server.js';
import { EventBus } from '../../src/conversation/bus.js';
import { MAX_MESSAGE_CHARS, MessageTooLongError } from '../../src/conversation/service.js';
import { UserError } from '../../src/errors.js';
import { openStore, type Store } from '../../src/host.js';
import { silentLogger } from '../../src/log.js';
import { outboxMessage } from '../../src/store/messages.js';
import { APP_ROOT } from './cli.js';

export interface WebHarness {
  web: WebChannel;
  store: Store;
  bus: EventBus;
  problems: string[];
  close(): Promise<void>;
}

export async function startWebHarness(
  env: Record<string, string> = {},
  replyDelayMs = 300,
): Promise<WebHarness> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-web-'));
  const config = loadConfig({ NANOCLAW_HOME: home, WEB_PORT: '0', ...env }, APP_ROOT);
  const store = openStore(config);
  store.groups.ensure(
    { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
    new Date(),
  );
  store.messages.upsertChat('web:main', 'web', 'Main');
  const bus = new EventBus();
  const problems: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  // Stands in for the conversation service: store, publish, then answer like an agent would.
  const receive = async (_channel: string, m: InboundMessage) => {
    if (!m.text.trim()) throw new UserError('The message is empty: type something to send.');
    if (m.text.length > MAX_MESSAGE_CHARS)
      throw new MessageTooLongError(`too long; the limit is ${MAX_MESSAGE_CHARS}.`);
    const stored = {
      chatId: m.chatId,
      id: m.id,
      ts: m.ts,
      senderId: m.senderId,
      senderName: m.senderName,
      content: m.text,
      fromAssistant: false,
    };
    store.messages.insert(stored);
    bus.emit('message', stored);
    bus.emit('typing', { chatId: m.chatId, on: true });
    const timer = setTimeout(() => {
      timers.delete(timer);
      const now = Date.now();
      const item = store.messages.enqueue(m.chatId, `ECHO: ${m.text}`, 'Andy', now);
      bus.emit('typing', { chatId: m.chatId, on: false });
      bus.emit('message', outboxMessage(item, 'Andy', now));
    }, replyDelayMs);
    timers.add(timer);
  };
  const web = createWebChannel({
    config,
    env: {},
    log: silentLogger(),
    bus,
    messages: store.messages,
    groups: store.groups,
    tasks: store.tasks,
    receive,
    status: () => ({ assistantName: 'Andy', problems }),
  }) as WebChannel;
  await web.start();
  return {
    web,
    store,
    bus,
    problems,
    async close() {
      for (const t of timers) clearTimeout(t);
      await web.stop();
      store.db.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}
