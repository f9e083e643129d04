/**
 * Messages an agent's tools send during a turn (send_message, send_file through the host API)
 * carry the inbound message the turn answers, so threading channels (Slack threads, email
 * In-Reply-To) keep them in the conversation's thread, like the turn's own reply. Over a real
 * SQLite store, the real Conversations, host API handlers and outbox; a scripted run stands in
 * for the sandbox and an in-memory channel records what the outbox delivers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConversations } from '../../test/support/conversations.js';
import type { InboundMessage, OutboundMessage } from '../channels/channel.js';
import { loadConfig, type Config } from '../config.js';
import { openStore, type Store } from '../host.js';
import { hostApiHandlers } from '../host-api.js';
import type { AgentRun, RunOutcome } from '../runs/agent-run.js';
import { SandboxLimiter } from '../runs/limiter.js';
import { TaskService } from '../scheduler/service.js';
import { AsyncQueue } from '../shared/async-queue.js';
import { HOST_API_PATHS } from '../shared/host-api.js';
import type { RunnerToHost } from '../shared/protocol.js';
import type { Conversations } from './service.js';

const RUN = 'run-1';
const context = { runId: RUN, group: { folder: 'family', isMain: false } };

describe('tool messages during a turn reply to the message the turn answers', () => {
  let home: string;
  let config: Config;
  let store: Store;
  let conversations: Conversations;
  let handlers: ReturnType<typeof hostApiHandlers>;
  let events: AsyncQueue<RunnerToHost>;
  let delivered: OutboundMessage[];

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-tools-reply-'));
    config = loadConfig({ NANOCLAW_HOME: home }, process.cwd());
    store = openStore(config);
    delivered = [];
    const built = testConversations(
      {
        messages: store.messages,
        groups: store.groups,
        sessions: store.sessions,
        pairing: store.pairing,
        limiter: new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 }),
        startRun: (_group, _prompt, signal): AgentRun => {
          events = new AsyncQueue<RunnerToHost>();
          let done: (o: RunOutcome) => void = () => {};
          const finished = new Promise<RunOutcome>((r) => (done = r));
          const end = () => {
            events.end();
            done({ exitCode: 0, signal: null });
          };
          signal.addEventListener('abort', end);
          return { runId: RUN, events, finished, send: () => true, close: end };
        },
      },
      async (m) => void delivered.push(m),
    );
    conversations = built.conversations;
    const tasks = new TaskService({
      tasks: store.tasks,
      groups: store.groups,
      timezone: 'UTC',
      now: Date.now,
      changed: () => {},
    });
    // As src/app.ts wires it: the host API asks the conversations what a run is answering.
    handlers = hostApiHandlers({
      store,
      post: built.post,
      config,
      tasks,
      channels: ['web', 'slack'],
      answering: (runId) => conversations.answeringTurn(runId),
    });
    const now = new Date();
    store.groups.ensure(
      {
        folder: 'family',
        name: 'Family',
        isMain: false,
        chatId: 'web:family',
        requiresTrigger: false,
      },
      now,
    );
    store.groups.addChat('family', 'slack:C1', now);
    store.messages.upsertChat('web:family', 'web', 'Family');
    fs.mkdirSync(path.join(home, 'groups', 'family'), { recursive: true });
    fs.writeFileSync(path.join(home, 'groups', 'family', 'report.txt'), 'the report');
  });

  afterEach(async () => {
    await conversations.shutdown();
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const inbound = (id: string, text: string): InboundMessage => ({
    chatId: 'slack:C1',
    chatName: 'family',
    id,
    ts: 1_700_000_000_000,
    senderId: 'alice',
    senderName: 'Alice',
    text,
  });

  /** Polls until `check` holds (the outbox delivers asynchronously). */
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };

  it('send_message and send_file into the answered chat carry its message id; elsewhere none', async () => {
    await conversations.receive('slack', inbound('1700000000.000100@1700000000.000001', 'hi'));
    await until(() => conversations.answeringTurn(RUN) !== undefined);
    expect(conversations.answeringTurn(RUN)).toEqual({
      chatId: 'slack:C1',
      messageId: '1700000000.000100@1700000000.000001',
    });
    await handlers.sendMessage(context, { text: 'working on it' });
    await handlers.extra?.[HOST_API_PATHS.sendFile]?.handle(context, { path: 'report.txt' });
    // Named, but the chat the turn answers: still in its thread.
    await handlers.sendMessage(context, { text: 'named', chatId: 'slack:C1' });
    // Another chat of the group: a message of its own there, nothing to thread under.
    await handlers.sendMessage(context, { text: 'to the web', chatId: 'web:family' });
    events.push({ type: 'result', text: 'done' });
    await until(() => delivered.length === 5);
    // In order within a chat; the outbox delivers each chat on its own.
    const seen = (chatId: string) =>
      delivered.filter((m) => m.chatId === chatId).map((m) => [m.text, m.replyTo]);
    const thread = '1700000000.000100@1700000000.000001';
    expect(seen('slack:C1')).toEqual([
      ['working on it', thread],
      ['report.txt', thread],
      ['named', thread],
      ['done', thread],
    ]);
    expect(seen('web:family')).toEqual([['to the web', undefined]]);
    expect(delivered.find((m) => m.text === 'report.txt')?.file?.bytes.toString()).toBe(
      'the report',
    );
    // Stored in the outbox row, so a delivery after a restart still threads.
    const rows = store.db.prepare(`SELECT text, reply_to FROM outbox ORDER BY seq`).all() as {
      text: string;
      reply_to: string | null;
    }[];
    expect(rows.map((r) => r.reply_to)).toEqual([thread, thread, thread, null, thread]);
  });

  it('a run answering nothing (a scheduled task) sends without a reply id', async () => {
    await handlers.sendMessage({ ...context, runId: 'task-run' }, { text: 'task output' });
    await until(() => delivered.length === 1);
    expect(delivered[0]).toMatchObject({ chatId: 'web:family', text: 'task output' });
    expect(delivered[0]?.replyTo).toBeUndefined();
  });
});
