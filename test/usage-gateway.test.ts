/**
 * Usage and budgets at the real gateway (unix socket) over a real SQLite store: what the fake
 * upstream reports is recorded per group, run, task, chat and model, streamed or JSON, while the
 * stream passes unbuffered; a group over its budget is refused on every model route and header
 * variant while another group goes on; persistent 429s are reported once.
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
import { MessageStore } from '../src/store/messages.js';
import { UsageStore } from '../src/store/usage.js';
import type { BudgetBlock } from '../src/usage/budget.js';
import { createUsageMeter } from '../src/usage/meter.js';
import { DEFAULT_PRICES, priceBook } from '../src/usage/prices.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { request, sse, startUpstream } from './support/gateway-http.js';

const USAGE = {
  input_tokens: 1234,
  output_tokens: 56,
  cache_read_input_tokens: 7000,
  cache_creation_input_tokens: 800,
};
const TOTAL = 1234 + 56 + 7000 + 800;
const MODEL = 'claude-sonnet-4-5-20250929';

describe('usage at the gateway', () => {
  let dir: string;
  let db: Db;
  let usage: UsageStore;
  let budgets: BudgetStore;
  let fake: FakeAnthropic;
  let gateway: Gateway;
  let socket: string;
  const refused: { context: RunContext; block: BudgetBlock }[] = [];
  const overloaded: { runId: string; status: number; retryAfter: string | undefined }[] = [];
  const capabilities = createCapabilityRegistry();
  const family: RunContext = { runId: 'run-family', group: { folder: 'family', isMain: false } };
  const main: RunContext = { runId: 'run-main', group: { folder: 'main', isMain: true } };
  const task: RunContext = { ...family, runId: 'run-task', task: 'task-7' };
  const keys = {
    family: capabilities.issue(family),
    main: capabilities.issue(main),
    task: capabilities.issue(task),
  };

  const meterFor = () =>
    createUsageMeter({
      usage,
      budgets,
      prices: priceBook(DEFAULT_PRICES),
      now: Date.now,
      chatOf: (context) => (context.group.folder === 'family' ? 'tg:-100' : 'web:main'),
      refused: (context, block) => refused.push({ context, block }),
      overloaded: (context, status, retryAfter) =>
        overloaded.push({ runId: context.runId, status, retryAfter }),
      log: silentLogger(),
    });

  const startGateway = (upstreamUrl: string, name: string) =>
    createGateway({
      socketPath: path.join(dir, `${name}.sock`),
      upstreamUrl,
      secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-real' }, path.join(dir, '.env')),
      capabilities,
      handlers: { sendMessage: async () => {} },
      usage: meterFor(),
      log: silentLogger(),
    });

  const call = (key: string, body: unknown, headers: Record<string, string> = {}) =>
    request(socket, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const ask = { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  const since = { since: 0 };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-usage-gw-'));
    db = openDb(path.join(dir, 'nanoclaw.db'));
    usage = new UsageStore(db);
    budgets = new BudgetStore(db);
    new MessageStore(db).upsertChat('tg:-100', 'telegram', 'Family');
    fake = await startFakeAnthropic({ usage: USAGE });
    gateway = await startGateway(fake.url, 'gw');
    socket = gateway.endpoint.kind === 'unix' ? gateway.endpoint.path : '';
  });

  afterAll(async () => {
    await gateway?.close();
    await fake?.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    db.exec('DELETE FROM model_usage; DELETE FROM usage_totals; DELETE FROM budgets;');
    refused.length = 0;
  });

  it('records a streamed answer as the upstream reported it, with group, run, chat and channel', async () => {
    const answer = await call(keys.family, { ...ask, stream: true });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('event: message_stop');
    const rows = db.prepare('SELECT * FROM model_usage').all();
    expect(rows).toEqual([
      expect.objectContaining({
        group_folder: 'family',
        run_id: 'run-family',
        task_id: null,
        chat_id: 'tg:-100',
        channel: 'telegram',
        model: MODEL,
        input_tokens: 1234,
        output_tokens: 56,
        cache_read_tokens: 7000,
        cache_write_tokens: 800,
      }),
    ]);
    // Sonnet 4.5 list prices: 3 / 15 / 0.30 / 3.75 USD per million.
    const cost = (1234 * 3 + 56 * 15 + 7000 * 0.3 + 800 * 3.75) / 1e6;
    expect(usage.rows(since, 'group')[0]?.costUsd).toBeCloseTo(cost, 10);
  });

  it('records a JSON answer, attributed to the task the run is for', async () => {
    const answer = await call(keys.task, ask);
    expect(answer.status).toBe(200);
    const [row] = usage.rows(since, 'task');
    expect(row).toMatchObject({
      key: 'task-7',
      group: 'family',
      model: MODEL,
      calls: 1,
      inputTokens: 1234,
      outputTokens: 56,
      cacheReadTokens: 7000,
      cacheWriteTokens: 800,
      unpricedCalls: 0,
    });
  });

  it('counts a model without a price in tokens only', async () => {
    await call(keys.main, { ...ask, model: 'llama3.1:8b', stream: true });
    expect(usage.rows(since, 'model')).toEqual([
      expect.objectContaining({ key: 'llama3.1:8b', costUsd: 0, unpricedCalls: 1 }),
    ]);
  });

  it('records nothing for an upstream error or a token count', async () => {
    const bad = await request(socket, {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': keys.main },
      body: 'not json',
    });
    expect(bad.status).toBe(400);
    const count = await request(socket, {
      method: 'POST',
      path: '/v1/messages/count_tokens',
      headers: { 'x-api-key': keys.main },
      body: JSON.stringify(ask),
    });
    expect(count.status).toBe(200);
    expect(usage.rows(since, 'group')).toEqual([]);
  });

  it('a group at its budget is refused on every model route and header variant; others go on', async () => {
    budgets.set({ scope: 'family', period: 'daily', unit: 'tokens', amount: TOTAL });
    expect((await call(keys.family, ask)).status).toBe(200); // below: goes through, reaches it
    const attempts = [
      () => call(keys.family, ask),
      () => call(keys.family, { ...ask, stream: true }), // a retry, streamed
      () => call('', ask, { authorization: `Bearer ${keys.family}` }), // key as a Bearer
      () => call(keys.family, ask, { 'x-nanoclaw-group': 'main', 'anthropic-beta': 'x' }),
      () => call(keys.task, ask), // another run (a task) of the same group
      () =>
        request(socket, {
          method: 'POST',
          path: '/v1/messages/count_tokens',
          headers: { 'x-api-key': keys.family },
          body: JSON.stringify(ask),
        }),
      () =>
        request(socket, {
          method: 'GET',
          path: '/v1/models',
          headers: { 'x-api-key': keys.family },
        }),
    ];
    for (const attempt of attempts) {
      const answer = await attempt();
      expect(answer.status).toBe(400);
      const error = (JSON.parse(answer.body) as { error: { type: string; message: string } }).error;
      expect(error.type).toBe('invalid_request_error');
      expect(error.message).toMatch(/Group family reached the daily model budget of \d+ tokens/);
      expect(error.message).toContain('nanoclaw budget set family --daily-tokens');
    }
    expect(fake.requests.filter((r) => r.headers['x-api-key'] === 'sk-real')).toHaveLength(
      fake.requests.length,
    );
    expect((await call(keys.main, ask)).status).toBe(200);
    expect(usage.spent('family', 0).tokens).toBe(TOTAL); // nothing more got through
    expect(new Set(refused.map((r) => r.block.key)).size).toBe(1);
  });

  it('an all-groups budget binds every group', async () => {
    budgets.set({ scope: '*', period: 'monthly', unit: 'usd', amount: 0.000001 });
    expect((await call(keys.main, ask)).status).toBe(200);
    expect((await call(keys.main, ask)).status).toBe(400);
    expect((await call(keys.family, ask)).status).toBe(400);
  });
});

describe('usage at the gateway: streaming and rate limits', () => {
  let dir: string;
  let db: Db;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gateway: Gateway;
  const overloaded: { status: number; retryAfter: string | undefined }[] = [];
  const capabilities = createCapabilityRegistry();
  const key = capabilities.issue({ runId: 'r1', group: { folder: 'main', isMain: true } });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-usage-gw2-'));
    db = openDb(path.join(dir, 'nanoclaw.db'));
    upstream = await startUpstream();
    gateway = await createGateway({
      socketPath: path.join(dir, 'gw.sock'),
      upstreamUrl: upstream.url,
      secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-real' }, path.join(dir, '.env')),
      capabilities,
      handlers: { sendMessage: async () => {} },
      usage: createUsageMeter({
        usage: new UsageStore(db),
        budgets: new BudgetStore(db),
        prices: priceBook(DEFAULT_PRICES),
        now: Date.now,
        overloaded: (_c, status, retryAfter) => overloaded.push({ status, retryAfter }),
        log: silentLogger(),
      }),
      log: silentLogger(),
    });
  });

  afterAll(async () => {
    await gateway?.close();
    upstream?.server.close();
    db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const socketPath = () => (gateway.endpoint.kind === 'unix' ? gateway.endpoint.path : '');

  it('passes a metered stream on chunk by chunk, not at its end', async () => {
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    upstream.state.behave = sse(() => gate);
    const chunks: string[] = [];
    const done = request(socketPath(), {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': key },
      body: '{}',
      onChunk: (c) => {
        chunks.push(c);
        open(); // the rest is sent only once the first chunk has arrived
      },
    });
    const answer = await done;
    expect(chunks[0]).toContain('"n":0');
    expect(answer.body).toContain('"n":2');
  });

  it('fails closed when budgets cannot be checked', async () => {
    const broken = await createGateway({
      socketPath: path.join(dir, 'broken.sock'),
      upstreamUrl: upstream.url,
      secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-real' }, path.join(dir, '.env')),
      capabilities,
      handlers: { sendMessage: async () => {} },
      usage: {
        admit: () => {
          throw new Error('database is locked');
        },
        record: () => {},
      },
      log: silentLogger(),
    });
    const before = upstream.seen.length;
    const answer = await request(broken.endpoint.kind === 'unix' ? broken.endpoint.path : '', {
      method: 'POST',
      path: '/v1/messages',
      headers: { 'x-api-key': key },
      body: '{}',
    });
    await broken.close();
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('could not check the model budget');
    expect(upstream.seen.length).toBe(before);
  });

  it('passes retry-after on and reports a run that keeps being rate limited, once', async () => {
    upstream.state.behave = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}');
    };
    for (let i = 0; i < 5; i++) {
      const answer = await request(socketPath(), {
        method: 'POST',
        path: '/v1/messages',
        headers: { 'x-api-key': key },
        body: '{}',
      });
      expect(answer.status).toBe(429);
      expect(answer.headers['retry-after']).toBe('7');
    }
    expect(overloaded).toEqual([{ status: 429, retryAfter: '7' }]);
  });
});
