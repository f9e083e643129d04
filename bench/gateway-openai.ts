/**
 * Issue "any OpenAI-compatible model" figures: what MODEL_API=openai costs per model request
 * (Anthropic → Chat Completions translation, the answer translated back, usage recorded) over
 * going to the OpenAI-compatible upstream directly and over the gateway's plain (Anthropic)
 * forwarding with usage; and per streamed token. Local fakes answer at once, so the figures are
 * the gateway's own overhead. The request is SDK-sized (system prompt and a dozen tools).
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

/** The model name carries the token count: the translation passes nothing else through. */
const tokensOf = (body: string) => Number(/"model":"bench-(\d+)"/.exec(body)?.[1] ?? 1);

function openaiAnswer(res: http.ServerResponse, tokens: number): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const chunk = (delta: unknown, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', model: 'bench', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: 'assistant', content: '' }));
  for (let i = 0; i < tokens; i++) res.write(chunk({ content: ' word' }));
  res.write(chunk({}, 'stop'));
  const usage = { prompt_tokens: 100, completion_tokens: tokens };
  res.end(`data: ${JSON.stringify({ id: 'c1', choices: [], usage })}\n\ndata: [DONE]\n\n`);
}

function anthropicAnswer(res: http.ServerResponse, tokens: number): void {
  const event = (data: { type: string }) =>
    `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const usage = { input_tokens: 100, output_tokens: 1 };
  res.write(event({ type: 'message_start', message: { model: 'bench', usage } } as never));
  const start = {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  };
  res.write(event(start));
  const delta = {
    type: 'content_block_delta',
    index: 0,
    delta: { type: 'text_delta', text: ' word' },
  };
  for (let i = 0; i < tokens; i++) res.write(event(delta));
  res.write(event({ type: 'content_block_stop', index: 0 } as never));
  res.write(event({ type: 'message_delta', usage: { output_tokens: tokens } } as never));
  res.end(event({ type: 'message_stop' }));
}

function fake(answer: (res: http.ServerResponse, tokens: number) => void) {
  return http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => answer(res, tokensOf(body)));
  });
}

/** About the size of the SDK's requests: a long system prompt, 12 tools with schemas. */
function sdkLikeBody(tokens: number): string {
  const schema = {
    type: 'object',
    properties: { command: { type: 'string', description: 'x'.repeat(200) } },
  };
  return JSON.stringify({
    model: `bench-${tokens}`,
    max_tokens: 128000,
    stream: true,
    system: [{ type: 'text', text: 'You are an agent. '.repeat(600) }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hello' }] }],
    tools: Array.from({ length: 12 }, (_, i) => ({
      name: `Tool${i}`,
      description: 'd'.repeat(500),
      input_schema: schema,
    })),
  });
}

type Target = { socketPath: string; path: string } | { host: string; port: number; path: string };

function post(target: Target, agent: http.Agent, key: string, body: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      { ...target, agent, method: 'POST', headers: { 'x-api-key': key } },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(performance.now() - started));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function series(target: Target, key: string, tokens: number, n: number): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = sdkLikeBody(tokens);
  for (let i = 0; i < 20; i++) await post(target, agent, key, body); // warm up
  const times: number[] = [];
  for (let i = 0; i < n; i++) times.push(await post(target, agent, key, body));
  agent.destroy();
  return times;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

export async function benchGatewayOpenAI(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-bench-openai-'));
  const openaiUp = fake(openaiAnswer);
  const anthropicUp = fake(anthropicAnswer);
  const openaiPort = await listen(openaiUp);
  const anthropicPort = await listen(anthropicUp);
  const db = openDb(path.join(dir, 'nanoclaw.db'));
  const capabilities = createCapabilityRegistry();
  const key = capabilities.issue({ runId: 'bench', group: { folder: 'bench', isMain: false } });
  const meter = createUsageMeter({
    usage: new UsageStore(db),
    budgets: new BudgetStore(db),
    prices: priceBook(DEFAULT_PRICES),
    now: Date.now,
    log: silentLogger(),
  });
  const start = (name: string, openai: boolean): Promise<Gateway> =>
    createGateway({
      socketPath: path.join(dir, `${name}.sock`),
      upstreamUrl: `http://127.0.0.1:${anthropicPort}`,
      secrets: secretSource(
        { ANTHROPIC_API_KEY: 'sk-bench', OPENAI_API_KEY: 'sk-bench' },
        path.join(dir, '.env'),
      ),
      capabilities,
      handlers: { sendMessage: async () => {} },
      usage: meter,
      ...(openai ? { openai: { baseUrl: `http://127.0.0.1:${openaiPort}/v1` } } : {}),
      log: silentLogger(),
    });
  const forwarding = await start('forward', false);
  const translating = await start('translate', true);
  const via = (gw: Gateway): Target => ({
    socketPath: gw.endpoint.kind === 'unix' ? gw.endpoint.path : '',
    path: '/v1/messages',
  });
  const direct: Target = { host: '127.0.0.1', port: openaiPort, path: '/v1/chat/completions' };
  const p50 = (v: number[]) => percentile(v, 50);

  console.log(
    '\nGateway: MODEL_API=openai translation (fake upstreams, SDK-sized request, 20 tokens)',
  );
  const n = 300;
  const d = await series(direct, key, 20, n);
  const f = await series(via(forwarding), key, 20, n);
  const t = await series(via(translating), key, 20, n);
  console.log(row('direct to the OpenAI-compatible upstream', d));
  console.log(row('gateway forwarding (Anthropic), usage', f));
  console.log(row('gateway translating (OpenAI), usage', t));
  console.log(
    `overhead p50: translation over direct ${(p50(t) - p50(d)).toFixed(2)} ms, ` +
      `over the gateway's forwarding ${(p50(t) - p50(f)).toFixed(2)} ms`,
  );

  const tokens = 5000;
  const dl = await series(direct, key, tokens, 20);
  const tl = await series(via(translating), key, tokens, 20);
  console.log(row(`direct, ${tokens} streamed tokens`, dl));
  console.log(row(`gateway translating, ${tokens} streamed tokens`, tl));
  console.log(
    `per streamed token, translation over direct (p50): ${(((p50(tl) - p50(dl)) * 1000) / tokens).toFixed(2)} µs`,
  );
  await forwarding.close();
  await translating.close();
  openaiUp.close();
  anthropicUp.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
