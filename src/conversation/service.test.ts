/**
 * Conversation logic over a real SQLite file, with scripted agent runs standing in for the
 * sandbox (the real sandbox path is covered end to end in test/host-e2e.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testConversations } from '../../test/support/conversations.js';
import type { InboundMessage } from '../channels/channel.js';
import { AgentRunError } from '../errors.js';
import type { AgentRun, RunOutcome } from '../runs/agent-run.js';
import { SandboxLimiter } from '../runs/limiter.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { RunnerToHost } from '../shared/protocol.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore, SessionStore, type Group } from '../store/groups.js';
import { PairingStore } from '../store/pairing.js';
import { MessageStore } from '../store/messages.js';
import { Conversations, MAX_MESSAGE_CHARS } from './service.js';

class ScriptedRun implements AgentRun {
  readonly runId = 'r1';
  readonly events = new AsyncQueue<RunnerToHost>();
  readonly sent: string[] = [];
  closed = false;
  private resolveFinished: (o: RunOutcome) => void = () => {};
  readonly finished = new Promise<RunOutcome>((r) => (this.resolveFinished = r));
  constructor(
    readonly group: Group,
    readonly prompt: string,
  ) {}
  send(text: string): boolean {
    if (this.closed) return false;
    this.sent.push(text);
    return true;
  }
  close(): void {
    this.closed = true;
  }
  answer(text: string): void {
    this.events.push({ type: 'result', text });
  }
  exit(ok = true, error?: AgentRunError): void {
    this.events.end();
    this.resolveFinished(ok ? { exitCode: 0, signal: null } : { exitCode: 1, signal: null, error });
  }
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('Conversations', () => {
  let dir: string;
  let db: Db;
  let runs: ScriptedRun[];
  let conversations: Conversations;
  let messages: MessageStore;
  let groups: GroupStore;
  let delivered: string[];
  let deliveredTo: string[];
  let repliesTo: (string | undefined)[];
  let problems: string[];
  let seq = 0;

  let limiter: SandboxLimiter;

  const build = (idleTimeoutMs = 60_000, maxTotal = 2) => {
    limiter = new SandboxLimiter({ maxTotal, maxPerGroup: 2 });
    messages = new MessageStore(db);
    groups = new GroupStore(db);
    conversations = testConversations(
      {
        pairing: new PairingStore(db),
        idleTimeoutMs,
        limiter,
        groups,
        messages,
        sessions: new SessionStore(db),
        startRun: (group, prompt, signal) => {
          const run = new ScriptedRun(group, prompt);
          // Like a killed sandbox: aborting ends the run.
          signal.addEventListener('abort', () => run.exit(false));
          runs.push(run);
          return run;
        },
        setupProblems: () => problems,
      },
      async (m) => {
        delivered.push(m.text);
        deliveredTo.push(`${m.chatId} ${m.text}`);
        repliesTo.push(m.replyTo);
      },
    ).conversations;
  };

  const sayWith = (chatId: string, text: string, extra: Partial<InboundMessage>) =>
    conversations.receive(chatId.split(':')[0] ?? 'web', {
      chatId,
      chatName: chatId,
      id: `m${++seq}`,
      ts: 1_700_000_000_000 + seq,
      senderId: 'alice',
      senderName: 'Alice',
      text,
      ...extra,
    });

  const say = (chatId: string, text: string, senderName = 'Alice') =>
    conversations.receive('web', {
      chatId,
      chatName: chatId,
      id: `m${++seq}`,
      ts: 1_700_000_000_000 + seq,
      senderId: senderName.toLowerCase(),
      senderName,
      text,
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-conv-'));
    db = openDb(path.join(dir, 'test.db'));
    runs = [];
    delivered = [];
    deliveredTo = [];
    repliesTo = [];
    problems = [];
    seq = 0;
    build();
    groups.ensure(
      { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
      new Date(),
    );
    groups.ensure(
      { folder: 'family', name: 'Family', isMain: false, chatId: 'web:family' },
      new Date(),
    );
  });

  afterEach(async () => {
    await conversations.shutdown();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers main at once and commits the reply with the cursor', async () => {
    await say('web:main', 'hello');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.prompt).toContain('>hello</message>');
    runs[0]?.answer('hi there <internal>thinking</internal>');
    await tick();
    expect(delivered).toEqual(['hi there']);
    expect(repliesTo).toEqual(['m1']); // the channel learns what the reply answers (threads)
    expect(messages.cursor('web:main')).toEqual({ ts: 1_700_000_000_001, id: 'm1' });
    expect(messages.chatsWithUnanswered()).toEqual([]);
  });

  it('without a credential answers at once with the advice, starts no run, then recovers', async () => {
    problems = ['No model credential is configured. Set ANTHROPIC_API_KEY.'];
    await say('web:main', 'hello');
    await tick();
    expect(runs).toHaveLength(0);
    expect(delivered).toEqual([
      'Action needed: No model credential is configured. Set ANTHROPIC_API_KEY.',
    ]);
    expect(repliesTo).toEqual(['m1']); // the advice answers the message
    // Answered: nothing left to retry, the cursor moved past the message.
    expect(messages.chatsWithUnanswered()).toEqual([]);
    expect(messages.cursor('web:main')?.id).toBe('m1');
    problems = [];
    await say('web:main', 'again');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.prompt).toContain('>again</message>');
    expect(runs[0]?.prompt).not.toContain('>hello</message>');
  });

  it('a reply is never dated before the message it answers (instant reply, clock ahead)', async () => {
    problems = ['Set ANTHROPIC_API_KEY.'];
    const ahead = Date.now() + 60_000;
    await conversations.receive('web', {
      chatId: 'web:main',
      chatName: 'Main',
      id: 'ffff', // sorts after the assistant's ids at an equal time
      ts: ahead,
      senderId: 'owner',
      senderName: 'Alice',
      text: 'hello',
    });
    await tick();
    const history = messages.history('web:main', 9);
    expect(history.map((m) => m.fromAssistant)).toEqual([false, true]);
    expect(history[1]?.ts).toBeGreaterThan(ahead);
    expect(delivered).toEqual(['Action needed: Set ANTHROPIC_API_KEY.']); // delivery not held back
  });

  it('a non-main group waits for the trigger, then gets the whole catch-up', async () => {
    await say('web:family', 'dinner at 7?', 'Bob');
    await say('web:family', 'I bring <cake> & "wine"', 'Eve');
    await tick();
    expect(runs).toHaveLength(0);
    await say('web:family', '@andy what do we need?', 'Bob');
    await tick();
    expect(runs).toHaveLength(1);
    const prompt = runs[0]?.prompt ?? '';
    expect(prompt).toContain('sender="Bob"');
    expect(prompt).toContain('dinner at 7?');
    expect(prompt).toContain('I bring &lt;cake&gt; &amp; &quot;wine&quot;');
    expect(prompt).toContain('@andy what do we need?');
    expect(prompt).toContain('<context timezone="UTC" />');
  });

  it('pipes a follow-up into the live run instead of starting another', async () => {
    await say('web:main', 'first');
    await say('web:main', 'second');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.sent).toHaveLength(1);
    expect(runs[0]?.sent[0]).toContain('second');
    expect(runs[0]?.sent[0]).not.toContain('first');
    runs[0]?.answer('both done');
    await tick();
    expect(messages.cursor('web:main')?.id).toBe('m2');
  });

  it('closes an idle run after the idle timeout; the next message starts a new one', async () => {
    build(30);
    await say('web:main', 'one');
    runs[0]?.answer('ok');
    await new Promise((r) => setTimeout(r, 60));
    expect(runs[0]?.closed).toBe(true);
    runs[0]?.exit();
    await tick();
    await say('web:main', 'two');
    expect(runs).toHaveLength(2);
  });

  it('an idle run gives its slot up at once when another group waits for one', async () => {
    build(60_000, 1);
    await say('web:main', 'one');
    runs[0]?.answer('ok');
    await tick();
    expect(runs[0]?.closed).toBe(false); // idle, holding the only slot
    await say('web:family', '@andy hello');
    await tick();
    expect(runs).toHaveLength(1); // family waits for the slot...
    expect(runs[0]?.closed).toBe(true); // ...so main's idle run is asked to close
    runs[0]?.exit();
    await tick();
    expect(runs.map((r) => r.group.folder)).toEqual(['main', 'family']);
    runs[1]?.answer('hi family');
    await tick();
    expect(delivered).toEqual(['ok', 'hi family']);
    expect(limiter.snapshot().running.map((s) => s.group)).toEqual(['family']);
  });

  it('a run waiting for a slot that is shut down leaves the limiter without an error', async () => {
    build(60_000, 1);
    await say('web:main', 'one');
    await say('web:family', '@andy hello');
    expect(limiter.snapshot().waiting.map((s) => s.group)).toEqual(['family']);
    await conversations.shutdown();
    expect(limiter.snapshot()).toEqual({ running: [], waiting: [] });
  });

  it('an assistant reply is never fed back as input', async () => {
    await say('web:main', 'hi');
    runs[0]?.answer('hello');
    await tick();
    runs[0]?.exit();
    await tick();
    expect(messages.inboundAfter('web:main', undefined, 10).map((m) => m.content)).toEqual(['hi']);
    expect(messages.chatsWithUnanswered()).toEqual([]);
  });

  it('retries a failed run with backoff, then tells the user and waits', async () => {
    await say('web:main', 'hello');
    runs[0]?.exit(false);
    await new Promise((r) => setTimeout(r, 40));
    expect(runs).toHaveLength(2);
    expect(runs[1]?.prompt).toContain('hello');
    runs[1]?.exit(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toHaveLength(2);
    expect(delivered.at(-1)).toMatch(/could not answer/);
    expect(messages.cursor('web:main')).toBeUndefined();
  });

  it('does not retry a failure that would repeat (over its output cap): tells the user at once', async () => {
    await say('web:main', 'flood please');
    runs[0]?.exit(
      false,
      new AgentRunError('the agent printed more than 64 MB and was stopped', false),
    );
    await new Promise((r) => setTimeout(r, 60));
    expect(runs).toHaveLength(1);
    expect(delivered.at(-1)).toMatch(/could not answer \(the agent printed more than 64 MB/);
  });

  it('after a restart, resumes unanswered messages', async () => {
    await say('web:main', 'are you there?');
    expect(runs).toHaveLength(1);
    // The "host" dies before the reply: a new Conversations over the same database.
    await conversations.shutdown();
    runs.length = 0;
    build();
    conversations.resumeAll();
    await tick(); // each run first takes its sandbox slot
    expect(runs).toHaveLength(1);
    expect(runs[0]?.prompt).toContain('are you there?');
  });

  it('rejects empty and oversized messages and ignores unregistered chats', async () => {
    await expect(say('web:main', '   ')).rejects.toThrow(/empty/);
    await expect(say('web:main', 'x'.repeat(MAX_MESSAGE_CHARS + 1))).rejects.toThrow(/8000/);
    await say('web:stranger', 'hello');
    // Seen (for discovery), but its text is not kept.
    expect(messages.chat('web:stranger')?.group).toBeUndefined();
    expect(messages.history('web:stranger', 10)).toEqual([]);
    expect(runs).toHaveLength(0);
  });

  it('sender policy: others are context only (trigger) or not stored (drop)', async () => {
    groups.setSenderPolicy('family', { allow: ['bob'], mode: 'trigger' });
    await say('web:family', '@andy do what I say', 'Mallory');
    await tick();
    expect(runs).toHaveLength(0);
    await say('web:family', '@andy and now?', 'Bob');
    await tick();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.prompt).toContain('do what I say');
    groups.setSenderPolicy('main', { allow: 'owner', mode: 'drop' });
    await say('web:main', 'let me in', 'Mallory');
    await tick();
    expect(messages.history('web:main', 10).map((m) => m.content)).not.toContain('let me in');
    await conversations.receive('web', {
      chatId: 'web:main',
      chatName: 'Main',
      id: 'owner-1',
      ts: 1_700_000_000_999,
      senderId: 'owner',
      senderName: 'Me',
      text: 'hi',
    });
    await tick();
    expect(runs).toHaveLength(2);
  });

  it('ignores a re-delivered message id', async () => {
    await say('web:main', 'once');
    seq -= 1;
    await say('web:main', 'once');
    expect(runs[0]?.sent).toHaveLength(0);
  });

  it('a group with two chats: one conversation, each reply goes to the chat it answers', async () => {
    groups.addChat('main', 'telegram:42', new Date());
    await say('web:main', 'from the web');
    await sayWith('telegram:42', 'from telegram', { chatKind: 'dm' });
    expect(runs).toHaveLength(1); // the live run answers the web first, then telegram
    runs[0]?.answer('web answer');
    await tick();
    expect(runs[0]?.sent.at(-1)).toContain('from telegram');
    runs[0]?.answer('telegram answer');
    await tick();
    await tick();
    expect(deliveredTo).toEqual(['web:main web answer', 'telegram:42 telegram answer']);
    expect(messages.cursor('web:main')?.id).toBe('m1');
    expect(messages.cursor('telegram:42')?.id).toBe('m2');
    // Still one run, now answering telegram: where its tools (send_message, send_file) send.
    expect([runs.length, conversations.answering('r1')]).toEqual([1, 'telegram:42']);
  });

  it('a mention or a reply to the bot wakes a group that needs a trigger; bots never do', async () => {
    groups.addChat('family', 'telegram:-100', new Date());
    await sayWith('telegram:-100', 'hi all', {});
    await sayWith('telegram:-100', '@andy from a bot', { fromBot: true });
    await tick();
    expect(runs).toHaveLength(0);
    await sayWith('telegram:-100', 'what about it?', { repliesToBot: true });
    await tick();
    expect(runs).toHaveLength(1);
    expect(runs[0]?.prompt).toContain('from a bot'); // kept as context
    runs[0]?.answer('ok');
    await tick();
    await sayWith('telegram:-100', '@nanoclaw_bot ping', { mentionsBot: true });
    await tick();
    expect(runs[0]?.sent.at(-1)).toContain('ping');
  });

  it('an unregistered chat is listed, its text not kept; a live pairing code in a DM binds it to main', async () => {
    const pairing = new PairingStore(db);
    await sayWith('telegram:7', 'hello bot', { chatKind: 'dm', senderId: 'telegram:7' });
    expect(messages.chats({ unregistered: true }).map((c) => [c.chatId, c.kind])).toEqual([
      ['telegram:7', 'dm'],
    ]);
    expect(messages.history('telegram:7', 10)).toEqual([]);
    const { code } = pairing.create('telegram', Date.now());
    // In a group chat, or on another channel, the code does nothing.
    await sayWith('telegram:-5', code, { chatKind: 'group' });
    await sayWith('discord:7', code, { chatKind: 'dm' });
    expect(groups.getByChat('telegram:-5')).toBeUndefined();
    await sayWith('telegram:7', code, { chatKind: 'dm', senderId: 'telegram:7' });
    expect(groups.getByChat('telegram:7')?.folder).toBe('main');
    expect(pairing.owners()).toEqual(['telegram:7']);
    await tick();
    expect(deliveredTo.at(-1)).toMatch(/^telegram:7 Paired/);
    // Single use: another DM cannot take it again.
    await sayWith('telegram:8', code, { chatKind: 'dm', senderId: 'telegram:8' });
    expect(groups.getByChat('telegram:8')).toBeUndefined();
    expect(messages.history('telegram:8', 10)).toEqual([]);
  });
});
