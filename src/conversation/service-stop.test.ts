/**
 * What a chat sees of a run while it works (its tool calls and intermediate text on the bus,
 * the steps kept with its reply) and the Stop button: the run's sandbox is aborted, the chat is told, nothing is retried.
 * Over a real SQLite file, with a scripted run standing in for the sandbox (a real one is
 * stopped end to end in test/web-dashboard.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConversations } from '../../test/support/conversations.js';
import type { AgentRun, RunOutcome } from '../runs/agent-run.js';
import { SandboxLimiter } from '../runs/limiter.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { RunnerToHost } from '../shared/protocol.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore, SessionStore } from '../store/groups.js';
import { MessageStore } from '../store/messages.js';
import { PairingStore } from '../store/pairing.js';
import { StepStore } from '../store/steps.js';
import type { Activity } from './bus.js';
import type { Conversations } from './service.js';

const tick = () => new Promise((r) => setTimeout(r, 5));
const STARTED = 1_700_000_100_000;

describe('Conversations: activity and Stop', () => {
  let dir: string;
  let db: Db;
  let conversations: Conversations;
  let messages: MessageStore;
  let events: AsyncQueue<RunnerToHost>;
  let signals: AbortSignal[];
  let activity: Activity[];
  let delivered: string[];
  let seq = 0;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-conv-stop-'));
    db = openDb(path.join(dir, 'test.db'));
    messages = new MessageStore(db);
    const groups = new GroupStore(db);
    signals = [];
    activity = [];
    delivered = [];
    const built = testConversations(
      {
        pairing: new PairingStore(db),
        limiter: new SandboxLimiter({ maxTotal: 2, maxPerGroup: 2 }),
        groups,
        messages,
        sessions: new SessionStore(db),
        steps: new StepStore(db),
        now: () => STARTED,
        startRun: (_group, _prompt, signal): AgentRun => {
          signals.push(signal);
          events = new AsyncQueue<RunnerToHost>();
          let done: (o: RunOutcome) => void = () => {};
          const finished = new Promise<RunOutcome>((r) => (done = r));
          // Like a killed sandbox: aborting ends the run with a failure.
          signal.addEventListener('abort', () => {
            events.end();
            done({ exitCode: null, signal: 'SIGKILL' });
          });
          return { runId: 'r1', events, send: () => true, close: () => {}, finished };
        },
      },
      async (m) => {
        delivered.push(m.text);
      },
    );
    conversations = built.conversations;
    built.post.bus.on('activity', (a) => activity.push(a));
    groups.ensure(
      { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
      new Date(),
    );
  });

  afterEach(async () => {
    await conversations.shutdown();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const say = (text: string) =>
    conversations.receive('web', {
      chatId: 'web:main',
      chatName: 'Main',
      id: `m${++seq}`,
      ts: 1_700_000_000_000 + seq,
      senderId: 'owner',
      senderName: 'Owner',
      text,
    });

  it('shows tool calls and intermediate text of the run answering the chat', async () => {
    await say('run the tests');
    await tick();
    events.push({ type: 'tool', name: 'Bash', summary: 'npm test' });
    events.push({ type: 'text', text: 'Tests pass. <internal>note to self</internal>' });
    events.push({ type: 'text', text: '<internal>only internal</internal>' });
    await tick();
    expect(activity).toEqual([
      { chatId: 'web:main', kind: 'tool', text: 'running Bash: npm test' },
      { chatId: 'web:main', kind: 'text', text: 'Tests pass.' },
    ]);
  });

  it('Stop aborts the run, tells the chat, and does not retry the message', async () => {
    expect(conversations.stop('web:main')).toBe(false); // nothing running yet
    await say('a long job');
    await tick();
    expect(signals).toHaveLength(1);
    // The dashboard's live run: its chat and when it started (the service's clock).
    expect(conversations.liveRuns()).toEqual([
      { group: 'main', runId: 'r1', chatId: 'web:main', startedAt: STARTED },
    ]);
    expect(conversations.stop('web:other')).toBe(false);
    expect(conversations.stop('web:main')).toBe(true);
    expect(signals[0]?.aborted).toBe(true);
    await tick();
    expect(delivered).toEqual(['Stopped.']);
    expect(messages.chatsWithUnanswered()).toEqual([]);
    await new Promise((r) => setTimeout(r, 50)); // past the queue's retry delay
    expect(signals).toHaveLength(1); // not run again
    expect(conversations.stop('web:main')).toBe(false);
    expect(conversations.liveRuns()).toEqual([]);
  });

  it("keeps the turn's steps with its reply: tools and team members, not its text", async () => {
    await say('fix it');
    await tick();
    events.push({ type: 'tool', name: 'Bash', summary: 'npm test' });
    events.push({ type: 'text', text: 'Looking', partial: true });
    await tick();
    conversations.teamStep('r1', 'alpha', 'done: found it');
    conversations.teamStep('another-run', 'beta', 'never shown here');
    events.push({ type: 'result', text: 'Fixed.' });
    await tick();
    expect(activity.map((a) => [a.kind, a.agent ?? null, a.text])).toEqual([
      ['tool', null, 'running Bash: npm test'],
      ['text', null, 'Looking'],
      ['agent', 'alpha', 'done: found it'],
    ]);
    const reply = messages.history('web:main', 10).find((m) => m.content === 'Fixed.');
    const kept = new StepStore(db).forMessages('web:main', [reply?.id ?? '']).get(reply?.id ?? '');
    expect(kept?.map((s) => [s.agent ?? null, s.text])).toEqual([
      [null, 'running Bash: npm test'],
      ['alpha', 'done: found it'],
    ]);
    // The next turn starts with no steps; a stopped one keeps what it did.
    await say('again');
    await tick();
    events.push({ type: 'tool', name: 'Read', summary: 'a.ts' });
    await tick();
    expect(conversations.stop('web:main')).toBe(true);
    await tick();
    const stopped = messages.history('web:main', 10).find((m) => m.content === 'Stopped.');
    const steps = new StepStore(db).forMessages('web:main', [stopped?.id ?? '']);
    expect(steps.get(stopped?.id ?? '')?.map((s) => s.text)).toEqual(['reading: a.ts']);
  });
});
