/**
 * The sandbox limiter under load, measured by what really runs: the real host (SQLite store,
 * limiter, specs), the real scheduler and dispatcher, and real conversations, over a runtime
 * that starts real processes (a shell for pre-checks, a tiny protocol-speaking runner for agent
 * runs) and counts the live ones at the runtime boundary. Five groups, one of them a hog with
 * eight tasks queued first, sixteen task occurrences with pre-checks, three chats arriving while
 * the host is busy.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TIMERS, testConversations } from './support/conversations.js';
import { loadConfig } from '../src/config.js';
import { Outbox } from '../src/conversation/outbox.js';
import { postAssistantMessage, type PostDeps } from '../src/conversation/post.js';
import { Conversations } from '../src/conversation/service.js';
import { openStore, startHost, type Host } from '../src/host.js';
import { silentLogger } from '../src/log.js';
import { startGroupRun } from '../src/runs/turn.js';
import type { SandboxProcess, SandboxRuntime } from '../src/sandbox/runtime.js';
import { createDispatcher } from '../src/scheduler/dispatch.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { APP_ROOT, tempHome } from './support/cli.js';

/** Speaks the runner protocol: answers each prompt after a moment, exits on close. */
const FAKE_RUNNER = `
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
const rl = require('node:readline').createInterface({ input: process.stdin });
const answer = (text) => setTimeout(() => out({ type: 'result', text }), 100);
const end = () => { out({ type: 'done' }); process.exit(0); };
rl.on('line', (line) => {
  const m = JSON.parse(line);
  if (m.type === 'start') {
    const kind = m.prompt.includes('<message') ? 'chat' : 'task';
    out({ type: 'text', text: 'KIND ' + kind });
    answer('answer from a ' + kind + ' run');
  } else if (m.type === 'message') answer('follow-up answered');
  else if (m.type === 'close') end();
});
rl.on('close', end);
`;

interface Started {
  group: string;
  kind: 'precheck' | 'chat' | 'task' | undefined;
}

/** A runtime of plain processes that records every start and the most alive at once. */
function countingRuntime() {
  const started: Started[] = [];
  const live = new Map<string, number>();
  let total = 0;
  const most = { total: 0, perGroup: 0 };
  const runtime: SandboxRuntime = {
    name: 'bwrap',
    spawn(spec, signal) {
      const precheck = spec.command[0] === '/bin/sh';
      const child = (
        precheck
          ? spawn('/bin/sh', ['-c', spec.command[2] ?? ''], { cwd: os.tmpdir(), signal })
          : spawn(process.execPath, ['-e', FAKE_RUNNER], { signal })
      ) as SandboxProcess;
      const record: Started = { group: spec.group, kind: precheck ? 'precheck' : undefined };
      started.push(record);
      total += 1;
      live.set(spec.group, (live.get(spec.group) ?? 0) + 1);
      most.total = Math.max(most.total, total);
      most.perGroup = Math.max(most.perGroup, live.get(spec.group) ?? 0);
      child.stdout.once('data', (chunk: Buffer) => {
        const kind = /KIND (chat|task)/.exec(chunk.toString())?.[1];
        if (kind === 'chat' || kind === 'task') record.kind = kind;
      });
      child.on('close', () => {
        total -= 1;
        live.set(spec.group, (live.get(spec.group) ?? 1) - 1);
      });
      return child;
    },
    probe: async () => ({ ok: true }),
    cleanupOrphans: async () => 0,
  };
  return { runtime, started, most, live: () => total };
}

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    if (done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const GROUPS = ['hog', 'g1', 'g2', 'g3', 'g4'];

describe('one sandbox limiter for chats, tasks and pre-checks (many groups, real processes)', () => {
  const counting = countingRuntime();
  let home: string;
  let host: Host;
  let scheduler: Scheduler;
  let conversations: Conversations;
  let outbox: Outbox;
  let close: () => Promise<void>;

  beforeAll(async () => {
    home = tempHome('nanoclaw-limiter-');
    const config = loadConfig(
      {
        NANOCLAW_HOME: path.join(home, 'data'),
        NANOCLAW_RUNTIME: 'bwrap',
        NANOCLAW_MOUNT_ALLOWLIST: path.join(home, 'no-allowlist.json'),
        MAX_CONCURRENT_SANDBOXES: '3',
        MAX_SANDBOXES_PER_GROUP: '2',
        TZ: 'UTC',
      },
      APP_ROOT,
    );
    const log = silentLogger();
    const store = openStore(config);
    const real = await startHost(config, log, store, { sendMessage: async () => {} });
    close = () => real.close();
    host = { ...real, runtime: counting.runtime };
    const now = Date.now();
    for (const folder of GROUPS) {
      const chatId = `web:${folder}`;
      host.groups.ensure(
        { folder, name: folder, isMain: false, chatId, requiresTrigger: false },
        new Date(),
      );
      host.messages.upsertChat(chatId, 'web', folder);
    }
    // The hog's eight tasks are created (and due) first; each other group has two.
    let n = 0;
    for (const folder of GROUPS) {
      for (let i = 0; i < (folder === 'hog' ? 8 : 2); i += 1) {
        n += 1;
        host.tasks.create(
          {
            id: `task-${String(n).padStart(2, '0')}`,
            groupFolder: folder,
            prompt: `TASK ${n}`,
            scheduleType: 'once',
            scheduleValue: new Date(now).toISOString(),
            contextMode: 'isolated',
            script: `sleep 0.1; echo '{"wakeAgent": true}'`,
            missedPolicy: 'run-once',
            nextRun: now - 1000 + n,
          },
          now,
        );
      }
    }
    const timers = TEST_TIMERS;
    let post: PostDeps;
    ({ conversations, outbox, post } = testConversations({
      pairing: host.pairing,
      // Long: an idle chat run gives its slot up only because others wait for it.
      idleTimeoutMs: 10 * 60_000,
      limiter: host.limiter,
      groups: host.groups,
      messages: host.messages,
      sessions: host.sessions,
      startRun: (group, prompt, signal) => startGroupRun(host, group, prompt, signal),
    }));
    scheduler = new Scheduler({
      tasks: host.tasks,
      timezone: 'UTC',
      now: Date.now,
      timers,
      dispatch: createDispatcher({
        host,
        post: (chatId, text) => postAssistantMessage(post, chatId, text),
      }),
      groupExists: (folder) => host.groups.get(folder) !== undefined,
      log,
    });
  });

  afterAll(async () => {
    await scheduler?.stop();
    await conversations?.shutdown();
    await outbox?.close();
    await close?.();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('never passes a cap, starts waiting chats before background work, and starves no group', async () => {
    scheduler.start();
    // Busy: background work holds all it may (two of three slots) and more waits.
    await until(
      () => counting.live() === 2 && host.limiter.snapshot().waiting.length > 0,
      'a busy host',
    );
    const before = counting.started.length;
    let seq = 0;
    for (const folder of ['g1', 'g2', 'g3']) {
      await conversations.receive('web', {
        chatId: `web:${folder}`,
        chatName: folder,
        id: `m${++seq}`,
        ts: Date.now(),
        senderId: 'owner',
        senderName: 'Owner',
        text: `hello ${folder}`,
      });
    }
    const allTasksRan = () =>
      host.tasks.list().every((t) => host.tasks.runs(t.id, 5)[0]?.status === 'success');
    await until(
      () => allTasksRan() && host.messages.chatsWithUnanswered().length === 0,
      'every task run and chat reply',
    );
    await until(() => counting.started.every((s) => s.kind !== undefined), 'all kinds known');

    // What really ran: never more than the caps.
    expect(counting.most.total).toBe(3);
    expect(counting.most.perGroup).toBeLessThanOrEqual(2);
    // Every occurrence ran its pre-check and its agent: 16 each, and the three chats.
    const kinds = counting.started.map((s) => s.kind);
    expect(kinds.filter((k) => k === 'precheck')).toHaveLength(16);
    expect(kinds.filter((k) => k === 'task')).toHaveLength(16);
    expect(kinds.filter((k) => k === 'chat')).toHaveLength(3);
    // Chats first: the next three sandboxes started after the chats arrived were the chats.
    const after = counting.started.slice(before, before + 3);
    expect(after.map((s) => s.kind)).toEqual(['chat', 'chat', 'chat']);
    expect(after.map((s) => s.group).sort()).toEqual(['g1', 'g2', 'g3']);
    // No starvation: the hog's tasks were due first, yet the first five background sandboxes
    // belonged to five different groups.
    const background = counting.started.filter((s) => s.kind !== 'chat');
    expect(new Set(background.slice(0, 5).map((s) => s.group))).toEqual(new Set(GROUPS));
    expect(host.limiter.snapshot().waiting).toEqual([]);
  });
});
