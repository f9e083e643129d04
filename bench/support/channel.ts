/**
 * What every channel skill's bench repeats: polling, the first-model-request latency of one
 * inbound message through the real host process, the cold/warm loop around it (an idle sandbox
 * closes between rounds, so each round's first sample starts cold), and outbound send rates.
 * Benches print figures and assert nothing.
 */
import { row } from '../stats.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every `everyMs` until it holds (or throws after `timeoutMs`). */
export async function until(check: () => boolean, timeoutMs: number, everyMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(everyMs);
  }
}

export interface FirstRequestProbe {
  /** The fake model: each request it recorded, and when. */
  model: { requests: { at: number }[] };
  /** Puts `text` in front of the channel (an update, an event, a webhook, a mail). */
  deliver(text: string): unknown;
  /** How many answers the bot has sent so far (a sample ends once one more went out). */
  replies(text: string): number;
  /** Start the clock once `deliver` resolved (email: once the mail is in the INBOX). */
  clockAfterDeliver?: boolean;
  /** What to print when the model saw nothing in time (the host's output, the fake's calls). */
  onTimeout?(): void;
}

/** One sample: delivered → the first model request it caused, in ms; waits for the answer. */
export function firstRequestSampler(probe: FirstRequestProbe): (text: string) => Promise<number> {
  return async (text) => {
    const before = probe.model.requests.length;
    const answered = probe.replies(text);
    let t0 = Date.now();
    await probe.deliver(text);
    if (probe.clockAfterDeliver) t0 = Date.now();
    await until(() => probe.model.requests.length > before, 60_000).catch((e: unknown) => {
      probe.onTimeout?.();
      throw e;
    });
    const latency = (probe.model.requests[before]?.at ?? Number.NaN) - t0;
    await until(() => probe.replies(text) > answered, 60_000);
    return latency;
  };
}

export interface ColdWarmOptions {
  rounds?: number;
  warmPerRound?: number;
  /** Longer than the host's IDLE_TIMEOUT_MS, so the next round starts cold. */
  idleMs?: number;
}

export async function coldWarm(
  sample: (text: string) => Promise<number>,
  { rounds = 5, warmPerRound = 4, idleMs = 4000 }: ColdWarmOptions = {},
): Promise<{ cold: number[]; warm: number[] }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    cold.push(await sample(`cold ${i}`));
    for (let j = 0; j < warmPerRound; j++) warm.push(await sample(`warm ${i}.${j}`));
    await sleep(idleMs); // the idle sandbox closes: the next sample starts cold
  }
  return { cold, warm };
}

/** Prints the cold/warm rows under `title`, `event` naming what came in. */
export function printColdWarm(
  title: string,
  event: string,
  { cold, warm }: { cold: number[]; warm: number[] },
): void {
  console.log(`\n## ${title}`);
  console.log(row(`${event} → first model request, cold sandbox`, cold));
  console.log(row(`${event} → first model request, warm (piped)`, warm));
}

/** Sends `n` messages one after another; prints messages per second and `note`. */
export async function printSendRate(
  label: string,
  n: number,
  send: (i: number) => Promise<unknown>,
  note: () => string = () => '',
): Promise<void> {
  const t0 = Date.now();
  for (let i = 0; i < n; i++) await send(i);
  const seconds = (Date.now() - t0) / 1000;
  const extra = note();
  console.log(`${label.padEnd(48)} ${(n / seconds).toFixed(1)} msg/s${extra ? ` (${extra})` : ''}`);
}
