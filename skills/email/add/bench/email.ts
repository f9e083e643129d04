/**
 * Email figures (added by the email skill; run with `npx tsx bench/email.ts` after
 * `npm run build`): a mail delivered into the INBOX (dovecot-lda done) → the adapter's
 * receive through IMAP IDLE, and → the first model request through the real host process
 * (bwrap, SDK CLI, fake model), cold and warm. Real dovecot and a local SMTP server.
 * Prints figures, asserts nothing.
 */
import fs from 'node:fs';
import { runCli } from '../test/support/cli.js';
import { startHostProcess } from '../test/support/host-process.js';
import { startE2e, untilCli } from '../test/skills/email/support/e2e.js';
import {
  ANN,
  connected,
  startChannel,
  startMailWorld,
} from '../test/skills/email/support/harness.js';
import { row } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(2);
  }
}

/** The adapter alone: INBOX delivery → receive() (IDLE push, FETCH, parse). */
async function benchAdapter(): Promise<void> {
  const world = await startMailWorld();
  const h = startChannel(world);
  await connected(h);
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    const before = h.received.length;
    await world.send({ subject: `bench ${i}`, text: 'x' });
    const t0 = Date.now(); // send() resolves once dovecot-lda filed the mail
    await until(() => h.received.length > before, 10_000);
    samples.push(Date.now() - t0);
  }
  await h.stop();
  await world.close();
  console.log('\n## Email in, adapter only (imapflow IDLE on real dovecot)');
  console.log(row('mail in INBOX → receive()', samples));
}

async function benchHost(): Promise<void> {
  const e2e = await startE2e('nanoclaw-bench-email-');
  await runCli(['groups', 'add', 'mail', '--chat', `email:${ANN}`, '--no-trigger'], e2e.env);
  const host = await startHostProcess({ ...e2e.env, IDLE_TIMEOUT_MS: '3000' });
  await untilCli(e2e.env, ['channels'], /^email\tconnected$/m);
  const sample = async (text: string): Promise<number> => {
    const before = e2e.model.requests.length;
    await e2e.world.send({ subject: 'bench', text });
    const t0 = Date.now();
    await until(() => e2e.model.requests.length > before, 60_000);
    const latency = (e2e.model.requests[before]?.at ?? Number.NaN) - t0;
    await until(() => e2e.replies(text).length > 0, 60_000);
    return latency;
  };
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < 3; i++) {
    cold.push(await sample(`cold-${i}`));
    for (let j = 0; j < 3; j++) warm.push(await sample(`warm-${i}-${j}`));
    await sleep(4500); // the idle sandbox closes: the next sample starts cold
  }
  await host.stop();
  const home = e2e.home;
  await e2e.close();
  fs.rmSync(home, { recursive: true, force: true });
  console.log('\n## Email in (host process, imapflow IDLE, dovecot, bwrap, fake model)');
  console.log(row('mail in INBOX → first model request, cold', cold));
  console.log(row('mail in INBOX → first model request, warm', warm));
}

const only = process.argv[2];
if (!only || only === 'adapter') await benchAdapter();
if (!only || only === 'host') await benchHost();
