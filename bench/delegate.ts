/**
 * `tsx bench/delegate.ts`: a lead fanning out to 5 workers with `delegate`, each in its own
 * bubblewrap sandbox (the real `nanoclaw run`, runner and SDK CLI; the fake model answering at
 * once). Printed: time from the lead's delegate call (its tool call leaving the fake) until all
 * 5 workers' first model requests have arrived, i.e. every worker sandbox is up and its agent
 * running; the whole fan-out; and the overhead per worker over a single run of one Bash turn.
 */
import fs from 'node:fs';
import { runCli, tempHome } from '../test/support/cli.js';
import { startFakeAnthropic, type MessagesBody } from '../test/support/fake-anthropic.js';
import { row } from './stats.js';

const WORKERS = 5;
const ROUNDS = 3;

const isWorker = (body: MessagesBody) => JSON.stringify(body.messages ?? []).includes('<worker ');

async function timedRun(prompt: string) {
  const firsts: number[] = [];
  const seen = new Set<string>();
  let leadCalled = Number.NaN;
  const fake = await startFakeAnthropic({
    hold: (body) => {
      const said = JSON.stringify(body.messages ?? []);
      const name = /You are worker ([a-z0-9-]+)/.exec(said)?.[1];
      if (name && isWorker(body) && !seen.has(name)) {
        seen.add(name);
        firsts.push(performance.now());
      } else if (!name && Number.isNaN(leadCalled)) leadCalled = performance.now();
      return undefined;
    },
  });
  const home = tempHome('nanoclaw-bench-delegate-');
  try {
    const t0 = performance.now();
    const out = await runCli(
      ['run', prompt],
      {
        NANOCLAW_HOME: home,
        NANOCLAW_RUNTIME: 'bwrap',
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: 'sk-bench',
        MAX_CONCURRENT_SANDBOXES: String(WORKERS + 1),
        MAX_SANDBOXES_PER_GROUP: String(WORKERS + 1),
        MAX_WORKERS_PER_GROUP: String(WORKERS),
      },
      { timeoutMs: 300_000 },
    );
    if (out.code !== 0) throw new Error(`run failed: ${out.stderr}`);
    const total = performance.now() - t0;
    const allStarted = firsts.length === WORKERS ? Math.max(...firsts) - leadCalled : Number.NaN;
    return { total, allStarted };
  } finally {
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}

const tasks = Array.from({ length: WORKERS }, (_, i) => ({
  name: `w${i}`,
  prompt: `RUN: echo RESULT-${i}`,
}));
const fanOutPrompt = `TOOL: mcp__nanoclaw__delegate ${JSON.stringify({ tasks })}`;
const single: number[] = [];
const fanOut: number[] = [];
const started: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  single.push((await timedRun('RUN: echo RESULT-solo')).total);
  const run = await timedRun(fanOutPrompt);
  fanOut.push(run.total);
  started.push(run.allStarted);
}
const perWorker = fanOut.map((t, i) => (t - (single[i] as number)) / WORKERS);
console.log(row('single run (one Bash turn), total', single));
console.log(row(`delegate to ${WORKERS}: call until all workers started`, started));
console.log(row(`delegate to ${WORKERS}: until the final answer`, fanOut));
console.log(row('overhead per worker over a single run', perWorker));
