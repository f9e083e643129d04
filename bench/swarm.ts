/**
 * `tsx bench/swarm.ts`: a lead fanning out to 5 background agents inside one run (the real
 * runner and SDK CLI, the fake model answering instantly): time from the run's start until all
 * 5 agents have started, and the extra time per agent over a single run with no team. (The
 * `delegate` fan-out, one sandbox per worker: bench/delegate.ts.)
 */
import { startFakeAnthropic } from '../test/support/fake-anthropic.js';
import { teamScript, type TeamLogEntry } from '../test/support/fake-team.js';
import { startRunnerHarness } from '../test/support/runner.js';
import { row } from './stats.js';

const AGENTS = 5;
const ROUNDS = 3;

async function timedRun(prompt: string, agents: number) {
  const log: TeamLogEntry[] = [];
  const fake = await startFakeAnthropic({ script: teamScript(log) });
  const harness = await startRunnerHarness(fake.url);
  try {
    const t0 = performance.now();
    const run = harness.start({ prompt });
    let started = 0;
    let allStarted = Number.NaN;
    await run.waitFor((e) => {
      if (e.type === 'agent' && e.status === 'started' && ++started === agents) {
        allStarted = performance.now() - t0;
      }
      return e.type === 'result';
    });
    const total = performance.now() - t0;
    run.send({ type: 'close' });
    await run.exit;
    return { allStarted, total };
  } finally {
    await harness.close();
    await fake.close();
  }
}

const plan = Array.from({ length: AGENTS }, (_, i) => `w${i}=echo RESULT-${i}`).join(' | ');
const single: number[] = [];
const fanOut: number[] = [];
const started: number[] = [];
for (let i = 0; i < ROUNDS; i += 1) {
  single.push((await timedRun('RUN: echo RESULT-solo', 0)).total);
  const team = await timedRun(`TEAM: ${plan}`, AGENTS);
  fanOut.push(team.total);
  started.push(team.allStarted);
}
const perAgent = fanOut.map((t, i) => (t - (single[i] as number)) / AGENTS);
console.log(row('single run (one Bash turn), total', single));
console.log(row(`team of ${AGENTS}: until all agents started`, started));
console.log(row(`team of ${AGENTS}: until the final answer`, fanOut));
console.log(row('overhead per agent over a single run', perAgent));
