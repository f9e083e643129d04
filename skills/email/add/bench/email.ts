/**
 * Email figures (added by the email skill; run with `npx tsx bench/email.ts` after
 * `npm run build`): a mail delivered into the INBOX (dovecot-lda done) → the adapter's
 * receive through IMAP IDLE, and → the first model request through the real host process
 * (bwrap, SDK CLI, fake model), cold and warm. Real dovecot and a local SMTP server.
 * Prints figures, asserts nothing.
 */
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
import { coldWarm, firstRequestSampler, printColdWarm, until } from './support/channel.js';

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
    await until(() => h.received.length > before, 10_000, 2);
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
  const sample = firstRequestSampler({
    model: e2e.model,
    deliver: (text) => e2e.world.send({ subject: 'bench', text }),
    replies: (text) => e2e.replies(text).length,
    clockAfterDeliver: true, // send() resolves once dovecot-lda filed the mail
    onTimeout: () => console.error(host.output()),
  });
  const figures = await coldWarm(sample, { rounds: 3, warmPerRound: 3, idleMs: 4500 });
  await host.stop();
  await e2e.close();
  printColdWarm(
    'Email in (host process, imapflow IDLE, dovecot, bwrap, fake model)',
    'mail in INBOX',
    figures,
  );
}

const only = process.argv[2];
if (!only || only === 'adapter') await benchAdapter();
if (!only || only === 'host') await benchHost();
