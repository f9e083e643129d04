/**
 * Issue "usage and budgets" figures: what the gateway costs per model request with usage
 * recording and budget checks (a real SQLite store), over forwarding without them and over going
 * to the upstream directly; and what it costs per streamed token. The upstream is a local fake
 * speaking the Messages streaming protocol, so the figures are the gateway's own overhead.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { secretSource } from '../src/config.js';
import { createCapabilityRegistry } from '../src/gateway/capabilities.js';
import { createGateway, type Gateway } from '../src/gateway/server.js';
import { silentLogger } from '../src/log.js';
import { BudgetStore } from '../src/store/budgets.js';
import { openDb } from '../src/store/db.js';
import { UsageStore } from '../src/store/usage.js';
import { createUsageMeter } from '../src/usage/meter.js';
import { DEFAULT_PRICES, priceBook } from '../src/usage/prices.js';
import { percentile, row } from './stats.js';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/** A streamed answer of `tokens` text deltas, written as the API does (one event per delta). */
function answer(res: http.ServerResponse, tokens: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(
    event('message_start', {
      type: 'message_start',
      message: { model: 'claude-haiku-4-5', usage: { input_tokens: 100, output_tokens: 1 } },
    }),
  );
  for (let i = 0; i < tokens; i++) {
    res.write(
      event('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: ' word' },
      }),
    );
  }
  res.write(event('message_delta', { type: 'message_delta', usage: { output_tokens: tokens } }));
  res.end(event('message_stop', { type: 'message_stop' }));
}

type Target = { socketPath: string } | { host: string; port: number };

function post(target: Target, agent: http.Agent, key: string, tokens: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...target, agent, method: 'POST', path: '/v1/messages', headers: { 'x-api-key': key } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(performance.now() - started));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ model: 'claude-haiku-4-5', stream: true, tokens }));
  });
}

async function series(target: Target, key: string, tokens: number, n: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 20; i++) await post(target, agent, key, tokens); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await post(target, agent, key, tokens));
  agent.destroy();
  return times;
}

export async function benchGatewayUsage(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-bench-usage-'));
  const upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => answer(res, (JSON.parse(body) as { tokens: number }).tokens));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const port = (upstream.address() as AddressInfo).port;
  const db = openDb(path.join(dir, 'nanoclaw.db'));
  const budgets = new BudgetStore(db);
  // Budgets that never bind, so each request pays for the check (two budgets, two sums).
  budgets.set({ scope: 'bench', period: 'daily', unit: 'usd', amount: 1e9 });
  budgets.set({ scope: '*', period: 'monthly', unit: 'tokens', amount: 1e12 });
  const capabilities = createCapabilityRegistry();
  const key = capabilities.issue({ runId: 'bench', group: { folder: 'bench', isMain: false } });
  const start = (name: string, metered: boolean): Promise<Gateway> =>
    createGateway({
      socketPath: path.join(dir, `${name}.sock`),
      upstreamUrl: `http://127.0.0.1:${port}`,
      secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-bench' }, path.join(dir, '.env')),
      capabilities,
      handlers: { sendMessage: async () => {} },
      ...(metered
        ? {
            usage: createUsageMeter({
              usage: new UsageStore(db),
              budgets,
              prices: priceBook(DEFAULT_PRICES),
              now: Date.now,
              log: silentLogger(),
            }),
          }
        : {}),
      log: silentLogger(),
    });
  const plain = await start('plain', false);
  const metered = await start('metered', true);
  const via = (gw: Gateway): Target => ({
    socketPath: gw.endpoint.kind === 'unix' ? gw.endpoint.path : '',
  });
  const direct: Target = { host: '127.0.0.1', port };

  console.log('\nGateway: usage recording and budgets (fake upstream, 20 tokens a request)');
  const n = 300;
  const d = await series(direct, key, 20, n);
  const p = await series(via(plain), key, 20, n);
  const m = await series(via(metered), key, 20, n);
  console.log(row('direct to the upstream', d));
  console.log(row('through the gateway, unmetered', p));
  console.log(row('through the gateway, usage + 2 budgets', m));
  const p50 = (v: number[]) => percentile(v, 50);
  console.log(
    `overhead p50: usage + budgets over direct ${(p50(m) - p50(d)).toFixed(2)} ms, ` +
      `over unmetered forwarding ${(p50(m) - p50(p)).toFixed(2)} ms`,
  );

  const tokens = 5000;
  const dl = await series(direct, key, tokens, 20);
  const ml = await series(via(metered), key, tokens, 20);
  const pl = await series(via(plain), key, tokens, 20);
  const perToken = (v: number[]) => ((p50(v) - p50(dl)) * 1000) / tokens;
  console.log(row(`direct, ${tokens} streamed tokens`, dl));
  console.log(row(`gateway unmetered, ${tokens} streamed tokens`, pl));
  console.log(row(`gateway usage, ${tokens} streamed tokens`, ml));
  console.log(
    `per streamed token over direct (p50): unmetered ${perToken(pl).toFixed(2)} µs, ` +
      `with usage ${perToken(ml).toFixed(2)} µs`,
  );
  await plain.close();
  await metered.close();
  upstream.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
