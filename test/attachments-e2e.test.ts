/**
 * Attachments end to end. Out: `send_file` through the real host API handlers, a real store and
 * real files; every way of pointing it at a file outside the caller's group folder, or at
 * something that is not a plain file, is refused. In: the real agent runner with the real SDK
 * CLI against the fake model; a saved photo reaches the model request as an image block, and a
 * file that only claims to be an image does not. Both ways: the real host in this process with
 * real bubblewrap, a photo from a chat, and the agent's `send_file` of it back to the channel.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { EventBus } from '../src/conversation/bus.js';
import { Outbox } from '../src/conversation/outbox.js';
import { hostApiHandlers } from '../src/host-api.js';
import { openStore, type Store } from '../src/host.js';
import { silentLogger } from '../src/log.js';
import { TaskService } from '../src/scheduler/service.js';
import { HOST_API_PATHS } from '../src/shared/host-api.js';
import { startApp, type App } from '../src/app.js';
import type { ChannelDeps, ChannelFactory, OutboundMessage } from '../src/channels/channel.js';
import { messageView } from '../src/channels/web/views.js';
import { inboxFolder } from '../src/conversation/attachments.js';
import { until } from './support/attacks.js';
import { APP_ROOT, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from './support/runner.js';

const main = { runId: 'r1', group: { folder: 'main', isMain: true } };
const family = { runId: 'r2', group: { folder: 'family', isMain: false } };
// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('send_file: only plain files from the caller’s own group folder', () => {
  let home: string;
  let config: Config;
  let store: Store;
  let sendFile: (context: typeof main, body: unknown) => Promise<unknown>;
  let groupDir: string;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-sendfile-'));
    fs.writeFileSync(path.join(home, '.env'), 'ATTACHMENT_MAX_MB=1\nANTHROPIC_API_KEY=sk-host\n');
    config = loadConfig({ NANOCLAW_HOME: home }, process.cwd());
    store = openStore(config);
    const now = new Date();
    store.groups.ensure({ folder: 'main', name: 'Main', isMain: true, chatId: 'web:main' }, now);
    store.groups.ensure(
      { folder: 'family', name: 'Family', isMain: false, chatId: 'web:family' },
      now,
    );
    store.messages.upsertChat('web:main', 'web', 'Main');
    store.messages.upsertChat('web:family', 'web', 'Family');
    const log = silentLogger();
    const outbox = new Outbox({
      messages: store.messages,
      channels: () => [],
      now: Date.now,
      timers: { setTimeout, clearTimeout },
      log,
      retryBaseMs: 60_000,
      retryMaxDelayMs: 60_000,
    });
    const post = {
      messages: store.messages,
      bus: new EventBus(),
      outbox,
      assistantName: 'Andy',
      now: Date.now,
    };
    const tasks = new TaskService({
      tasks: store.tasks,
      groups: store.groups,
      timezone: 'UTC',
      now: Date.now,
      changed: () => {},
    });
    const route = hostApiHandlers({ store, post, config, tasks, channels: ['web'] }).extra?.[
      HOST_API_PATHS.sendFile
    ];
    if (!route) throw new Error('no send_file route');
    sendFile = async (context, body) => route.handle(context, route.schema.parse(body));
    groupDir = path.join(config.paths.groups, 'family');
    fs.mkdirSync(groupDir, { recursive: true });
    fs.mkdirSync(path.join(config.paths.groups, 'main'), { recursive: true });
    fs.writeFileSync(path.join(groupDir, 'chart.png'), PNG);
    fs.writeFileSync(path.join(config.paths.groups, 'main', 'private.txt'), 'main only');
  });

  afterEach(() => {
    store.db.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  // No channel here: delivery fails and is retried a minute later, so look beyond that.
  const outbox = () => store.messages.dueOutbox(Date.now() + 10 * 60_000, 10);

  it('sends a file with its caption to the caller’s chat, typed by its content', async () => {
    expect(
      await sendFile(family, { path: '/workspace/group/chart.png', caption: 'Sales' }),
    ).toEqual({ sent: 'chart.png', size: `${PNG.length} bytes`, chat: 'web:family' });
    await sendFile(family, { path: 'chart.png' });
    const [first] = outbox();
    expect(first).toMatchObject({ chatId: 'web:family', text: 'Sales' });
    expect(first?.file).toEqual({ name: 'chart.png', mime: 'image/png', bytes: PNG });
    // The web chat does not lose it: the message names the file.
    const shown = store.messages.history('web:family', 5).map((m) => messageView(m).text);
    expect(shown).toEqual([
      `Sales\n[file: chart.png, ${PNG.length} bytes]`,
      `chart.png\n[file: chart.png, ${PNG.length} bytes]`,
    ]);
  });

  it.each([
    ['a host file by absolute path', '/etc/passwd', /only files under \/workspace\/group/],
    ['the host .env by absolute path', 'HOME/.env', /only files under \/workspace\/group/],
    ['a way out with ..', '/workspace/group/../../.env', /no "\.\."/],
    ['a relative way out', '../../.env', /no "\.\."/],
    ['another group’s file (sandbox path)', '/workspace/group/../main/private.txt', /no "\.\."/],
    ['another group’s file (host path)', 'GROUPS/main/private.txt', /only files under/],
    ['the global folder', '/workspace/global/CLAUDE.md', /only files under/],
    ['a symlink to the host .env', '/workspace/group/env-link', /symlink/],
    ['a file behind a symlinked folder', '/workspace/group/linked/.env', /symlink/],
    ['a FIFO', '/workspace/group/pipe', /FIFO/],
    ['a hard link to the host .env', '/workspace/group/hard', /hard link/],
    [
      'a file over ATTACHMENT_MAX_MB',
      '/workspace/group/big.bin',
      /larger than ATTACHMENT_MAX_MB \(1 MB\)/,
    ],
    ['a missing file', '/workspace/group/nothing.txt', /no such file/],
  ])('refuses %s', async (_, agentPath, why) => {
    fs.symlinkSync(path.join(home, '.env'), path.join(groupDir, 'env-link'));
    fs.symlinkSync(home, path.join(groupDir, 'linked'));
    execFileSync('mkfifo', [path.join(groupDir, 'pipe')]);
    try {
      fs.linkSync(path.join(home, '.env'), path.join(groupDir, 'hard'));
    } catch {
      fs.writeFileSync(path.join(groupDir, 'hard'), ''); // other filesystem: its row proves less
    }
    fs.writeFileSync(path.join(groupDir, 'big.bin'), Buffer.alloc(1024 * 1024 + 1));
    const target = agentPath.replace('HOME', home).replace('GROUPS', config.paths.groups);
    await expect(sendFile(family, { path: target })).rejects.toThrow(why);
    expect(outbox()).toEqual([]);
  });

  it('only main may send to another chat, as with send_message', async () => {
    await expect(sendFile(family, { path: 'chart.png', chat_id: 'web:main' })).rejects.toThrow(
      /only send messages to its own chat/,
    );
    await expect(sendFile(main, { path: 'private.txt', chat_id: 'web:nowhere' })).rejects.toThrow(
      /unknown chat/,
    );
    expect(outbox()).toEqual([]);
    await sendFile(main, { path: 'private.txt', chat_id: 'web:family' });
    expect(outbox()[0]).toMatchObject({ chatId: 'web:family', file: { mime: 'text/plain' } });
  });
});

describe('images reach the model as image blocks (real SDK CLI, fake model)', () => {
  let fake: FakeAnthropic;
  let harness: RunnerHarness;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    harness = await startRunnerHarness(fake.url);
    fs.mkdirSync(path.join(harness.cwd, 'inbox', 'd'), { recursive: true });
    fs.writeFileSync(path.join(harness.cwd, 'inbox', 'd', 'm1-photo.png'), PNG);
    fs.writeFileSync(path.join(harness.cwd, 'inbox', 'd', 'm2-fake.png'), 'not an image');
  });

  afterAll(async () => {
    await harness.close();
    await fake.close();
  });

  type Block = { type: string; source?: { media_type: string; data: string }; text?: string };
  const userBlocks = (i: number): Block[] => {
    const body = fake.requests.at(i)?.body as { messages: { role: string; content: unknown }[] };
    return body.messages
      .filter((m) => m.role === 'user' && Array.isArray(m.content))
      .flatMap((m) => m.content as Block[]);
  };

  it('a photo in the start message and one in a follow-up are image blocks; a fake one is a note', async () => {
    const run = harness.start({
      prompt: 'what is in this picture?',
      images: ['/workspace/group/inbox/d/m1-photo.png', '/workspace/group/inbox/d/m2-fake.png'],
    });
    await run.waitFor((e) => e.type === 'result');
    const first = userBlocks(-1);
    const images = first.filter((b) => b.type === 'image');
    expect(images).toHaveLength(1);
    expect(images[0]?.source).toMatchObject({
      media_type: 'image/png',
      data: PNG.toString('base64'),
    });
    const text = JSON.stringify(first);
    expect(text).toContain('what is in this picture?');
    expect(text).toContain('m2-fake.png not shown: it is not a JPEG, PNG, GIF or WebP image');

    run.send({
      type: 'message',
      text: 'and this one',
      images: ['/workspace/group/../../etc/passwd'],
    });
    await run.waitFor((e) => e.type === 'result');
    expect(JSON.stringify(userBlocks(-1))).toContain('not shown: it is not in the group folder');
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
  });
});

describe('the real host, bubblewrap and the SDK CLI: a photo in, send_file out', () => {
  let fake: FakeAnthropic;
  let home: string;
  let app: App | undefined;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome('nanoclaw-attach-e2e-');
  });

  afterAll(async () => {
    await app?.stop();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the photo reaches the model as an image block; the agent sends the saved file back', async () => {
    const env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-attach-e2e',
      TZ: 'UTC',
      IDLE_TIMEOUT_MS: '1000',
    };
    const sent: OutboundMessage[] = [];
    let deps: ChannelDeps | undefined;
    const channel: ChannelFactory = (d) => {
      deps = d;
      return {
        name: 'fake',
        ownsChat: (chatId) => chatId === 'web:main',
        start: async () => {},
        stop: async () => {},
        send: async (m) => void sent.push(m),
      };
    };
    app = await startApp(loadConfig(env, APP_ROOT), env, silentLogger(), [channel]);
    const ts = Date.now();
    const saved = `/workspace/group/${inboxFolder(ts, 'UTC')}/p1-photo.png`;
    const tool = JSON.stringify({ path: saved, caption: 'here it is' });
    await deps?.receive('fake', {
      chatId: 'web:main',
      chatName: 'Main',
      id: 'p1',
      ts,
      senderId: 'web-user',
      senderName: 'Owner',
      text: `TOOL: mcp__nanoclaw__send_file ${tool}`,
      attachments: [{ kind: 'photo', mime: 'image/png', fetch: async () => PNG }],
    });
    await until(() => sent.find((m) => m.file), 120_000);
    const request = fake.requests.find((r) => JSON.stringify(r.body).includes('send_file'));
    const body = JSON.stringify(request?.body);
    expect(body).toContain(
      `"type":"image","source":{"type":"base64","media_type":"image/png","data":"${PNG.toString('base64')}"}`,
    );
    expect(body).toContain(`path=\\"${saved}\\" type=\\"image/png\\"`);
    const withFile = sent.find((m) => m.file);
    expect(withFile).toMatchObject({ chatId: 'web:main', text: 'here it is' });
    expect(withFile?.file).toEqual({ name: 'p1-photo.png', mime: 'image/png', bytes: PNG });
  });
});
