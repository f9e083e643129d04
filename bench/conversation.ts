/**
 * Issue "Conversations end to end" figures, against the real host process: web API post →
 * first request at the fake model (cold sandbox and warm follow-up), a 20 groups × 10 messages
 * burst with a cap of 5 (none lost, none duplicated), and host RSS.
 */
import fs from 'node:fs';
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { runCli, tempHome } from '../test/support/cli.js';
import {
  history,
  postMessage,
  startHostProcess,
  type HostProcess,
} from '../test/support/host-process.js';
import { row } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(50);
  }
}

export async function benchConversation(): Promise<void> {
  const fake = await startFakeAnthropic();
  const home = tempHome('nanoclaw-bench-host-');
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-bench',
    IDLE_TIMEOUT_MS: '3000',
    MAX_CONCURRENT_SANDBOXES: '5',
  };
  for (let g = 0; g < 20; g++) {
    await runCli(['groups', 'add', `g${g}`, '--no-trigger'], env);
  }
  const host = await startHostProcess(env);
  await sleep(1000);
  const idleRss = rssMb(host.pid);
  const firstRequestAfter = async (text: string): Promise<number> => {
    const before = fake.requests.length;
    const t0 = Date.now();
    await postMessage(host.url, 'web:main', text);
    await until(() => fake.requests.length > before, 60_000);
    return (fake.requests[before]?.at ?? Number.NaN) - t0;
  };

  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    cold.push(await firstRequestAfter(`cold ${i}`));
    await waitAnswered(host, 'web:main', `cold ${i}`);
    for (let j = 0; j < 4; j++) {
      warm.push(await firstRequestAfter(`warm ${i}.${j}`));
      await waitAnswered(host, 'web:main', `warm ${i}.${j}`);
    }
    // Let the idle sandbox close, so the next sample starts cold.
    await sleep(4000);
  }
  const burst = await runBurst(host);
  const afterRss = rssMb(host.pid);
  await host.stop();
  await fake.close();
  fs.rmSync(home, { recursive: true, force: true });

  console.log('\n## Conversations (real host process, bwrap, fake model)');
  console.log(row('web post → first model request, cold sandbox', cold));
  console.log(row('web post → first model request, warm (piped)', warm));
  console.log(`burst 20 groups × 10 messages, cap 5: ${burst.summary}`);
  console.log(`host RSS: idle ${idleRss.toFixed(1)} MB, after the burst ${afterRss.toFixed(1)} MB`);
}

async function waitAnswered(host: HostProcess, chatId: string, text: string): Promise<void> {
  await until(async () => {
    const messages = await history(host.url, chatId);
    const at = messages.findIndex((m) => m.text === text);
    return at !== -1 && messages.slice(at + 1).some((m) => m.fromAssistant);
  }, 60_000);
}

async function runBurst(host: HostProcess): Promise<{ summary: string }> {
  const t0 = Date.now();
  const posts: Promise<Response>[] = [];
  for (let m = 0; m < 10; m++) {
    for (let g = 0; g < 20; g++)
      posts.push(postMessage(host.url, `web:g${g}`, `g${g} message ${m}`));
  }
  const statuses = (await Promise.all(posts)).map((r) => r.status);
  const accepted = statuses.filter((s) => s === 201).length;
  const lastAnswered = async (g: number) => {
    const messages = await history(host.url, `web:g${g}`);
    const last = messages.findIndex((m) => m.text === `g${g} message 9`);
    return last !== -1 && messages.slice(last + 1).some((m) => m.fromAssistant);
  };
  await until(
    async () => (await Promise.all([...Array(20).keys()].map(lastAnswered))).every(Boolean),
    600_000,
  );
  const seconds = (Date.now() - t0) / 1000;
  let userMessages = 0;
  let duplicates = 0;
  for (let g = 0; g < 20; g++) {
    const texts = (await history(host.url, `web:g${g}`))
      .filter((m) => !m.fromAssistant)
      .map((m) => m.text);
    userMessages += texts.length;
    duplicates += texts.length - new Set(texts).size;
  }
  return {
    summary: `${accepted}/200 accepted, ${userMessages} stored, ${duplicates} duplicated, all 20 groups answered in ${seconds.toFixed(1)} s`,
  };
}
