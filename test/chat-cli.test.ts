/**
 * `nanoclaw chat` against the web channel started in-process (real HTTP, real SQLite, a scripted
 * agent that replies): history, sending piped lines, live messages from others, typing, waiting
 * for replies, reconnecting, and the clear "not running" message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCommand } from '../src/cli/chat.js';
import { UserError } from '../src/errors.js';
import { APP_ROOT } from './support/cli.js';
import { CountingBus, startWebHarness, type WebHarness } from './support/web.js';

function collect() {
  const stream = new PassThrough();
  const capture = { stream, text: '' };
  stream.on('data', (d: Buffer) => (capture.text += d.toString()));
  return capture;
}

/** Runs chatCommand like the CLI would, against the harness's host. */
function runChat(
  harness: WebHarness,
  args: string[],
  env: Record<string, string> = {},
  tty = false,
) {
  // A terminal's stdin says isTTY; a PassThrough marked so stands in for one.
  const stdin = Object.assign(new PassThrough(), { isTTY: tty });
  const stdout = collect();
  const stderr = collect();
  const done = chatCommand(args, {
    argv: ['chat', ...args],
    env: { NANOCLAW_HOME: harness.home, WEB_PORT: new URL(harness.web.url).port, ...env },
    appRoot: APP_ROOT,
    stdin,
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { stdin, stdout, stderr, done };
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

const postAs = (harness: WebHarness, senderName: string, text: string) =>
  fetch(`${harness.web.url}/api/chats/web%3Amain/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text, senderName }),
  });

describe('nanoclaw chat', () => {
  let harness: WebHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('prints history, sends piped lines, prints every reply, then exits 0', async () => {
    harness = await startWebHarness({ replyDelayMs: 30 });
    await postAs(harness, 'You', 'earlier');
    await until(() => harness?.store.messages.history('web:main', 9).length === 2);
    const chat = runChat(harness, ['--wait', '30']);
    chat.stdin.end('first line\n\n   \nsecond line\n');
    expect(await chat.done).toBe(0);
    const lines = chat.stdout.text.trim().split('\n');
    expect(lines.map((l) => l.replace(/^\[[^\]]+\] /, ''))).toEqual([
      'You: earlier',
      'Andy: ECHO: earlier',
      'Andy: ECHO: first line',
      'Andy: ECHO: second line',
    ]);
    expect(chat.stderr.text).toContain('Andy is typing…');
    // Blank lines are not sent; the lines were stored under the terminal's name.
    const stored = harness.store.messages.history('web:main', 20).filter((m) => !m.fromAssistant);
    expect(stored.map((m) => [m.senderName, m.content])).toEqual([
      ['You', 'earlier'],
      ['Terminal', 'first line'],
      ['Terminal', 'second line'],
    ]);
  });

  it('shows what others write in the chat live, but not its own lines again', async () => {
    const bus = new CountingBus();
    harness = await startWebHarness({ replyDelayMs: 30, bus });
    const chat = runChat(harness, []);
    await until(() => bus.live === 4); // its event stream is open (message, typing, activity, status)
    await postAs(harness, 'Alice', 'from the page');
    await until(() => chat.stdout.text.includes('ECHO: from the page'));
    chat.stdin.end('from the terminal\n');
    expect(await chat.done).toBe(0);
    expect(chat.stdout.text).toContain('Alice: from the page');
    expect(chat.stdout.text).toContain('Andy: ECHO: from the terminal');
    expect(chat.stdout.text).not.toContain('Terminal: from the terminal');
  });

  it('keeps following across a host restart and catches up on what it missed', async () => {
    harness = await startWebHarness({ replyDelayMs: 30 });
    await postAs(harness, 'Alice', 'before');
    const chat = runChat(harness, []);
    // Connected and caught up: the history is printed.
    await until(() => chat.stdout.text.includes('ECHO: before'));
    await harness.restart();
    await until(() => chat.stderr.text.includes('reconnecting'));
    await postAs(harness, 'Alice', 'while you were away');
    await until(() => chat.stderr.text.includes('Reconnected.'));
    chat.stdin.end('back\n');
    expect(await chat.done).toBe(0);
    expect(chat.stdout.text).toContain('Alice: while you were away');
    expect(chat.stdout.text).toContain('Andy: ECHO: while you were away');
    expect(chat.stdout.text).toContain('Andy: ECHO: back');
  });

  it('reports a line the host refused and gives up waiting after --wait', async () => {
    harness = await startWebHarness({ replyDelayMs: 60_000 });
    const chat = runChat(harness, ['--wait', '0.2']);
    chat.stdin.end(`${'x'.repeat(8001)}\nno reply to this\n`);
    expect(await chat.done).toBe(0);
    expect(chat.stderr.text).toContain('Not sent: The message is too long (8001 characters)');
    expect(chat.stderr.text).toContain('No reply within 0.2 s');
  });

  it('uses the configured token, and explains a missing one', async () => {
    const token = 'a-very-long-web-token-123';
    harness = await startWebHarness({ replyDelayMs: 30, env: { WEB_TOKEN: token } });
    const ok = runChat(harness, [], { WEB_TOKEN: token });
    ok.stdin.end('secret\n');
    expect(await ok.done).toBe(0);
    expect(ok.stdout.text).toContain('Andy: ECHO: secret');
    const refused = runChat(harness, [], { WEB_TOKEN: 'another-token-of-16-chars' });
    refused.stdin.end();
    await expect(refused.done).rejects.toThrow(/wants an access token: set WEB_TOKEN/);
  });

  it('refuses an unknown chat and bad options with a UserError', async () => {
    harness = await startWebHarness();
    const unknown = runChat(harness, ['--chat', 'web:nobody']);
    await expect(unknown.done).rejects.toThrow(
      'Unknown chat "web:nobody". Chats: web:main (Main).',
    );
    const wait = runChat(harness, ['--wait', 'soon']);
    await expect(wait.done).rejects.toBeInstanceOf(UserError);
    const extra = runChat(harness, ['hello']);
    await expect(extra.done).rejects.toThrow(/Unexpected argument "hello"/);
  });

  it('on a terminal, Ctrl-D with an answer pending says what it waits for', async () => {
    harness = await startWebHarness({ replyDelayMs: 300 });
    const chat = runChat(harness, ['--wait', '30'], {}, true);
    await until(() => chat.stderr.text.includes('Type a message'));
    chat.stdin.end('are you there?\n'); // the line, then end of input (Ctrl-D)
    expect(await chat.done).toBe(0);
    expect(chat.stderr.text).toContain(
      'Waiting up to 30 s for the answer to your last message… Ctrl-C to quit now',
    );
    expect(chat.stdout.text).toContain('Andy: ECHO: are you there?');
  });

  it('says clearly when the host is not running, and exits 1', async () => {
    const stderr = collect();
    const code = await chatCommand([], {
      argv: ['chat'],
      env: { NANOCLAW_HOME: '/tmp/nanoclaw-none', WEB_PORT: '9' },
      appRoot: APP_ROOT,
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: stderr.stream,
    });
    expect(code).toBe(1);
    expect(stderr.text).toBe(
      'NanoClaw is not running for /tmp/nanoclaw-none (NANOCLAW_HOME) — start it with `npm start`.\n',
    );
  });

  it('talks to the host of its own NANOCLAW_HOME, whatever WEB_PORT says', async () => {
    harness = await startWebHarness({ replyDelayMs: 10 });
    const other = await startWebHarness({ replyDelayMs: 10 });
    try {
      await postAs(other, 'You', 'only in the other installation');
      // WEB_PORT points at the other installation's host: ignored.
      const chat = runChat(harness, ['--wait', '30'], { WEB_PORT: new URL(other.web.url).port });
      chat.stdin.end('hi\n');
      expect(await chat.done).toBe(0);
      expect(chat.stderr.text).toContain(
        `Connected to NanoClaw at ${harness.web.url} (process ${process.pid}), chat web:main.`,
      );
      expect(chat.stdout.text).toContain('Andy: ECHO: hi');
      expect(chat.stdout.text).not.toContain('only in the other installation');
      // A data directory without a host: refused, even though something answers on WEB_PORT.
      const lonely = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-nohost-'));
      const none = runChat({ ...harness, home: lonely }, [], {
        WEB_PORT: new URL(other.web.url).port,
      });
      none.stdin.end('hello?\n');
      expect(await none.done).toBe(1);
      expect(none.stderr.text).toContain(`NanoClaw is not running for ${lonely}`);
      const othersLines = other.store.messages.history('web:main', 9).map((m) => m.content);
      expect(othersLines).not.toContain('hi');
      expect(othersLines).not.toContain('hello?');
      fs.rmSync(lonely, { recursive: true, force: true });
    } finally {
      await other.close();
    }
  });
});
