/**
 * MODEL_API=openai at the real gateway (unix socket) over a real SQLite store, against the fake
 * OpenAI-compatible server speaking the real Chat Completions protocol: the sandbox's Anthropic
 * requests are translated both ways, the host's OPENAI_API_KEY (read fresh from .env) goes
 * upstream and never the sandbox's capability, usage is recorded and budgets refuse, upstream
 * errors and cut streams arrive in Anthropic's shape.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretSource } from '../src/config.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway, type Gateway } from '../src/gateway/server.js';
import type { RunContext } from '../src/gateway/types.js';
import { silentLogger } from '../src/log.js';
import { BudgetStore } from '../src/store/budgets.js';
import { openDb, type Db } from '../src/store/db.js';
import { UsageStore } from '../src/store/usage.js';
import { createUsageMeter } from '../src/usage/meter.js';
import { DEFAULT_PRICES, priceBook } from '../src/usage/prices.js';
import { startFakeOpenAI, type FakeOpenAI } from './support/fake-openai.js';
import { request, startUpstream } from './support/gateway-http.js';

interface Event {
  type: string;
  [k: string]: unknown;
}
const events = (body: string): Event[] =>
  body
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as Event);

describe('MODEL_API=openai at the gateway', () => {
  let dir: string;
  let envFile: string;
  let db: Db;
  let fake: FakeOpenAI;
  let gateway: Gateway;
  const capabilities = createCapabilityRegistry();
  const family: RunContext = { runId: 'run-o', group: { folder: 'family', isMain: false } };
  const key = capabilities.issue(family);
  const overloaded: number[] = [];

  const start = async (baseUrl: string, name: string) => {
    const usage = new UsageStore(db);
    const meter = createUsageMeter({
      usage,
      budgets: new BudgetStore(db),
      prices: priceBook(DEFAULT_PRICES),
      now: Date.now,
      overloaded: (_c, status) => overloaded.push(status),
      log: silentLogger(),
    });
    return createGateway({
      socketPath: path.join(dir, `${name}.sock`),
      upstreamUrl: 'https://api.anthropic.com',
      // No key in the environment: only the .env file, read at every request.
      secrets: secretSource({}, envFile),
      capabilities,
      handlers: { sendMessage: async () => {} },
      usage: meter,
      openai: { baseUrl, maxTokens: 4096 },
      log: silentLogger(),
    });
  };
  const call = (gw: Gateway, body: unknown, p = '/v1/messages') =>
    request(gw.endpoint.kind === 'unix' ? gw.endpoint.path : '', {
      method: 'POST',
      path: p,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const ask = (text: string, extra = {}) => ({
    model: 'qwen3-coder',
    max_tokens: 128000,
    system: [{ type: 'text', text: 'You are a test.' }],
    messages: [{ role: 'user', content: text }],
    ...extra,
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-openai-gw-'));
    envFile = path.join(dir, '.env');
    db = openDb(path.join(dir, 'nanoclaw.db'));
    fake = await startFakeOpenAI({
      fail: (body) => {
        const text = JSON.stringify(body.messages);
        if (text.includes('LIMIT')) return { status: 429, message: 'Slow down', retryAfter: '7' };
        if (text.includes('BADKEY')) return { status: 401, message: 'Incorrect API key provided' };
        return undefined;
      },
    });
    gateway = await start(fake.url, 'gw');
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    db.exec('DELETE FROM model_usage; DELETE FROM usage_totals; DELETE FROM budgets;');
    fake.requests.length = 0;
  });

  it('a streamed answer: translated request upstream, Anthropic events back, usage recorded', async () => {
    fs.writeFileSync(envFile, 'OPENAI_API_KEY=sk-openai-one\n');
    const answer = await call(gateway, ask('hello', { stream: true }));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream');
    const seen = events(answer.body);
    expect(seen.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = seen.flatMap((e) => (e.delta as { text?: string })?.text ?? '').join('');
    expect(text).toBe('ECHO: hello');
    const upstream = fake.requests[0];
    expect(upstream?.path).toBe('/v1/chat/completions');
    expect(upstream?.headers.authorization).toBe('Bearer sk-openai-one');
    expect(JSON.stringify(upstream?.headers)).not.toContain(key);
    expect(upstream?.body).toMatchObject({
      model: 'qwen3-coder',
      max_tokens: 4096,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: 'You are a test.' },
        { role: 'user', content: 'hello' },
      ],
    });
    expect(db.prepare('SELECT * FROM model_usage').all()).toEqual([
      expect.objectContaining({
        group_folder: 'family',
        run_id: 'run-o',
        model: 'qwen3-coder',
        input_tokens: 200,
        output_tokens: 25,
        cache_read_tokens: 100,
        cache_write_tokens: 0,
      }),
    ]);
    // A rotated key is used from the next request on, without a restart.
    fs.writeFileSync(envFile, 'OPENAI_API_KEY=sk-openai-two\n');
    await call(gateway, ask('again', { stream: true }));
    expect(fake.requests[1]?.headers.authorization).toBe('Bearer sk-openai-two');
  });

  it('a JSON tool call: a tool_use block with parsed input; usage recorded', async () => {
    const answer = await call(gateway, ask('RUN: ls -l'));
    expect(answer.status).toBe(200);
    const message = JSON.parse(answer.body) as { content: unknown[]; stop_reason: string };
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      { type: 'text', text: 'Running it.' },
      {
        type: 'tool_use',
        id: 'call_0',
        name: 'Bash',
        input: { command: 'ls -l', description: 'scripted' },
      },
    ]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_usage').get()).toEqual({ n: 1 });
  });

  it('upstream 429 and 401 arrive in Anthropic shape with retry-after; 429s are counted', async () => {
    overloaded.length = 0;
    for (let i = 0; i < 3; i++) {
      const limited = await call(gateway, ask('LIMIT', { stream: true }));
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBe('7');
      expect(JSON.parse(limited.body)).toEqual({
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'The OpenAI-compatible model endpoint answered 429: Slow down.',
        },
      });
    }
    expect(overloaded).toEqual([429]);
    const denied = await call(gateway, ask('BADKEY'));
    expect(denied.status).toBe(401);
    expect(JSON.parse(denied.body)).toMatchObject({
      error: { type: 'authentication_error', message: expect.stringContaining('OPENAI_API_KEY') },
    });
    expect(db.prepare('SELECT COUNT(*) AS n FROM model_usage').get()).toEqual({ n: 0 });
  });

  it('a group over its budget is refused before anything goes upstream', async () => {
    new BudgetStore(db).set({ scope: 'family', period: 'daily', unit: 'tokens', amount: 10 });
    await call(gateway, ask('first'));
    const refused = await call(gateway, ask('second', { stream: true }));
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('budget');
    expect(fake.requests).toHaveLength(1);
  });

  it('count_tokens is an estimate; other Anthropic-only routes and bad bodies get clear errors', async () => {
    const count = await call(gateway, ask('x'.repeat(400)), '/v1/messages/count_tokens');
    expect(count.status).toBe(200);
    expect((JSON.parse(count.body) as { input_tokens: number }).input_tokens).toBeGreaterThan(100);
    const models = await request(gateway.endpoint.kind === 'unix' ? gateway.endpoint.path : '', {
      method: 'GET',
      path: '/v1/models',
      headers: { 'x-api-key': key },
    });
    expect(models.status).toBe(404);
    expect(models.body).toContain('MODEL_API=openai serves only messages');
    const bad = await call(gateway, { model: 'm', messages: [] });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') },
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('a stream cut mid-way ends in an Anthropic error event; an unreachable endpoint is a 502', async () => {
    const cut = await startUpstream();
    cut.state.behave = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"par"}}]}\n\n');
      setTimeout(() => res.destroy(), 50);
    };
    const gw = await start(cut.url, 'cut');
    const answer = await call(gw, ask('hi', { stream: true }));
    const last = events(answer.body).at(-1);
    expect(last).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    await gw.close();
    cut.server.close();
    const down = await start('http://127.0.0.1:9/v1', 'down');
    const refused = await call(down, ask('hi', { stream: true }));
    expect(refused.status).toBe(502);
    expect(refused.body).toContain('Check OPENAI_BASE_URL');
    await down.close();
  });
});
