/**
 * How soon a word the model writes shows in the web chat: the real host, the real SDK CLI with
 * partial messages, and a fake model writing one word every 100 ms; for each word, the time from
 * the fake writing it to the chat's event stream carrying it (the page renders on arrival).
 */
import fs from 'node:fs';
import { SseParser } from '../src/cli/sse.js';
import { tempHome } from '../test/support/cli.js';
import { startFakeAnthropic, userTexts, latestInput } from '../test/support/fake-anthropic.js';
import { postMessage, startHostProcess } from '../test/support/host-process.js';
import { row } from './stats.js';

const WORDS = 40;
const ROUNDS = 3;

/** Reads the chat's events until `done`, noting when each word first appeared in a draft. */
async function watch(url: string, seen: Map<string, number>, done: AbortSignal): Promise<void> {
  const res = await fetch(`${url}/api/chats/web%3Amain/events`, { signal: done });
  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      for (const event of parser.push(decoder.decode(chunk, { stream: true }))) {
        if (event.event !== 'activity') continue;
        const { kind, text } = JSON.parse(event.data) as { kind: string; text: string };
        if (kind !== 'text') continue;
        for (const word of text.split(/\s+/)) if (!seen.has(word)) seen.set(word, Date.now());
      }
    }
  } catch (error) {
    if (!done.aborted) throw error;
  }
}

export async function benchStreaming(): Promise<void> {
  const fake = await startFakeAnthropic({
    wordPauseMs: 100,
    script: (body) => {
      const round = userTexts(latestInput(body))
        .join(' ')
        .match(/stream round (\d+)/)?.[1];
      if (!round) return undefined;
      const words = Array.from({ length: WORDS }, (_, i) => `r${round}w${i}`);
      return { text: words.join(' ') };
    },
  });
  const home = tempHome('nanoclaw-bench-streaming-');
  const host = await startHostProcess({
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-bench',
    IDLE_TIMEOUT_MS: '30000',
  });
  const seen = new Map<string, number>();
  const done = new AbortController();
  const watching = watch(host.url, seen, done.signal);
  const latency: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await postMessage(host.url, 'web:main', `stream round ${round}`);
      const last = `r${round}w${WORDS - 1}`;
      const end = Date.now() + 120_000;
      while (!seen.has(last) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      for (const delta of fake.deltas) {
        const word = delta.text.trim();
        const shown = seen.get(word);
        if (word.startsWith(`r${round}w`) && shown !== undefined) latency.push(shown - delta.at);
      }
    }
    console.log('\n== streaming (model word → web chat event stream) ==');
    console.log(row('word written → shown in the chat', latency));
  } finally {
    done.abort();
    await watching;
    await host.stop('SIGTERM');
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
