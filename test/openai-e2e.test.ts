/**
 * MODEL_API=openai end to end: the real host in this process, real bubblewrap sandboxes and the
 * real Claude Agent SDK CLI, unchanged, talking Anthropic Messages to the gateway, which
 * translates to the fake OpenAI-compatible server (real Chat Completions streaming). A plain
 * answer, a Bash tool turn via a translated function call, a photo reaching the model as an
 * image_url part, an upstream error reaching the chat as a clear failure; usage recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type App } from '../src/app.js';
import type { ChannelDeps, ChannelFactory, OutboundMessage } from '../src/channels/channel.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { openDb } from '../src/store/db.js';
import { until } from './support/attacks.js';
import { APP_ROOT, runCli, tempHome } from './support/cli.js';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js';

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

describe('MODEL_API=openai: the real SDK CLI in bubblewrap through the translating gateway', () => {
  let fake: FakeOpenAI;
  let home: string;
  let app: App | undefined;
  let deps: ChannelDeps | undefined;
  const sent: OutboundMessage[] = [];
  let n = 0;
  let env: Record<string, string>;

  const say = async (text: string, photo = false) => {
    n += 1;
    const before = sent.length;
    await deps?.receive('fake', {
      chatId: 'web:main',
      chatName: 'Main',
      id: `m${n}`,
      ts: Date.now(),
      senderId: 'web-user',
      senderName: 'Owner',
      text,
      ...(photo
        ? { attachments: [{ kind: 'photo' as const, mime: 'image/png', fetch: async () => PNG }] }
        : {}),
    });
    return until(() => sent.slice(before).find((m) => m.text), 120_000);
  };

  beforeAll(async () => {
    fake = await startFakeOpenAI({
      fail: (body) =>
        JSON.stringify(body.messages).includes('EXPLODE')
          ? { status: 400, message: 'the fake endpoint refused this request' }
          : undefined,
    });
    home = tempHome('nanoclaw-openai-e2e-');
    // The key lives in the data directory's .env, as the host reads it (fresh, per request).
    fs.writeFileSync(path.join(home, '.env'), 'OPENAI_API_KEY=sk-openai-e2e\n');
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_RUNTIME: 'bwrap',
      MODEL_API: 'openai',
      OPENAI_BASE_URL: fake.url,
      NANOCLAW_MODEL: 'qwen3-coder',
      TZ: 'UTC',
      IDLE_TIMEOUT_MS: '1000',
    };
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
  });

  afterAll(async () => {
    await app?.stop();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('a plain answer, streamed through the translation', async () => {
    const reply = await say('hello over openai');
    expect(reply.text).toContain('ECHO:');
    expect(reply.text).toContain('hello over openai');
    const first = fake.requests[0];
    expect(first?.body).toMatchObject({ model: 'qwen3-coder', stream: true });
    expect(first?.headers.authorization).toBe('Bearer sk-openai-e2e');
    // The SDK's tools reached the model as functions.
    expect(first?.body.tools?.map((t) => t.function.name)).toContain('Bash');
  });

  it('a Bash tool turn: a function call runs in the sandbox, its result goes back as a tool message', async () => {
    // The host's OpenAI key is nowhere in the sandbox's processes.
    const reply = await say(
      'RUN: echo tool-$((6*7)) keys=$(cat /proc/[0-9]*/environ 2>/dev/null | grep -ac sk-openai-e2e)',
    );
    expect(reply.text).toContain('DONE: tool-42 keys=0');
    const withResult = fake.requests.find((r) => r.body.messages?.some((m) => m.role === 'tool'));
    const messages = withResult?.body.messages ?? [];
    const tool = messages.find((m) => m.role === 'tool');
    const call = messages.find(
      (m) => m.role === 'assistant' && JSON.stringify(m).includes('tool_calls'),
    );
    expect(JSON.stringify(call)).toContain(tool?.tool_call_id ?? 'missing');
    expect(String(tool?.content)).toMatch(/tool-42/);
  });

  it('a photo reaches the model as an image_url data: URL part', async () => {
    const reply = await say('what is in this picture?', true);
    expect(reply.text).toContain('IMAGE: data:image/png;base64');
    const request = fake.requests.find((r) => JSON.stringify(r.body).includes('image_url'));
    expect(JSON.stringify(request?.body)).toContain(
      `data:image/png;base64,${PNG.toString('base64')}`,
    );
  });

  it('usage of the translated turns is recorded for the group and model', () => {
    const db = openDb(path.join(home, 'nanoclaw.db'));
    try {
      const rows = db
        .prepare(
          'SELECT group_folder, model, input_tokens, output_tokens, cache_read_tokens FROM model_usage',
        )
        .all();
      // One per model request: plain (1), tool turn (2), photo (1) at least.
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(rows).toContainEqual({
        group_folder: 'main',
        model: 'qwen3-coder',
        input_tokens: 200,
        output_tokens: 25,
        cache_read_tokens: 100,
      });
    } finally {
      db.close();
    }
  });

  it('an upstream error reaches the user as a clear failure, not a hang', async () => {
    // `nanoclaw run` (the terminal chat): the host's conversation path would retry the turn
    // with backoff for over a minute before saying the same.
    const result = await runCli(['run', 'EXPLODE please'], env);
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain('the fake endpoint refused this request');
    expect(output).not.toMatch(/\n\s+at /);
  });
});
