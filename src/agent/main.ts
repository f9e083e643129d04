/**
 * The agent runner: the program that runs inside the sandbox. It reads its start message and
 * follow-ups as JSON lines on stdin, runs the Claude Agent SDK with a streaming prompt in the
 * group's folder and session, and reports events as JSON lines on stdout.
 *
 * It holds no secret: the capability it gets identifies this run to the host and doubles as the
 * SDK's placeholder API key, which the host gateway swaps for the real one.
 */
import { fileURLToPath } from 'node:url';
import type { StartMessage } from '../shared/protocol.js';
import { EventMapper } from './events.js';
import { startForwarder } from './forwarder.js';
import { createHostClient } from './host-client.js';
import { diag, readInput, takeStdout, type InputItem, type ProtocolOut } from './io.js';
import { loadImages } from './images.js';
import { PromptFeed } from './prompts.js';
import { runQuery } from './query-loop.js';
import { compactedReminder } from './memory.js';
import { queryOptions, type RunExtras } from './options.js';
import { loadSpecialists } from './specialists.js';
import { loadSkillTools } from './skill-tools.js';

/** Runs the conversation; an invalid stored session is replaced by a fresh one, once. */
async function converse(start: StartMessage, port: number, feed: PromptFeed, out: ProtocolOut) {
  const events = new EventMapper(!start.sessionId, [start.capability]);
  const host = createHostClient(`http://127.0.0.1:${port}`, start.capability);
  // Tool skills: compiled modules next to this file (see skill-tools.ts).
  const toolsDir = fileURLToPath(new URL('./tools/', import.meta.url));
  const tools = { host, skills: await loadSkillTools(toolsDir, { host }) };
  const specialists = loadSpecialists(process.cwd());
  for (const problem of specialists.problems) diag(`specialist skipped: ${problem}`);
  const extras: RunExtras = {
    agents: specialists.agents,
    onArchived: (archive) => feed.push(compactedReminder(archive)),
    mask: (text) => events.masked(text),
  };
  const first = await runQuery(
    queryOptions(start, port, tools, extras, start.sessionId),
    feed,
    out,
    events,
  );
  if (first !== 'invalid-session') return first === 'ok';
  diag(`session ${start.sessionId ?? ''} cannot be resumed; starting a fresh one`);
  events.restartFresh();
  feed.replay();
  const options = queryOptions(start, port, tools, extras, undefined);
  return (await runQuery(options, feed, out, events)) === 'ok';
}

/** Queues a user message with its images (unreadable ones become notes in the text). */
function feedMessage(feed: PromptFeed, text: string, paths: readonly string[] = []): void {
  const { images, notes } = loadImages(paths, process.cwd());
  feed.push(notes.length ? `${text}\n${notes.join('\n')}` : text, images);
}

/** Feeds host lines into the conversation until `close` (or stdin ends). */
async function pump(input: AsyncIterator<InputItem>, feed: PromptFeed, out: ProtocolOut) {
  for (let item = await input.next(); !item.done; item = await input.next()) {
    const value = item.value;
    if (!value.ok) {
      out.send({ type: 'error', message: `bad input line: ${value.error}`, retryable: false });
    } else if (value.message.type === 'message') {
      feedMessage(feed, value.message.text, value.message.images);
    } else if (value.message.type === 'close') {
      break;
    } else {
      out.send({ type: 'error', message: 'bad input line: a second start', retryable: false });
    }
  }
  // Closing stdin or `close`: finish what is running (subagents included), then exit.
  feed.end();
}

async function readStart(input: AsyncIterator<InputItem>): Promise<StartMessage | string> {
  const first = await input.next();
  if (first.done) return 'stdin closed';
  if (!first.value.ok) return first.value.error;
  if (first.value.message.type !== 'start') return 'first message was not start';
  return first.value.message;
}

async function run(out: ProtocolOut): Promise<number> {
  const input = readInput(process.stdin)[Symbol.asyncIterator]();
  const start = await readStart(input);
  if (typeof start === 'string') {
    out.send({ type: 'error', message: `expected a start message (${start})`, retryable: false });
    return 1;
  }
  const forwarder = await startForwarder(start.gateway);
  try {
    out.send({ type: 'ready' });
    const feed = new PromptFeed();
    feedMessage(feed, start.prompt, start.images);
    void pump(input, feed, out);
    const ok = await converse(start, forwarder.port, feed, out);
    if (ok) out.send({ type: 'done' });
    return ok ? 0 : 1;
  } finally {
    await forwarder.close();
  }
}

async function main(): Promise<number> {
  const out = takeStdout();
  // The host went away: nobody can read our answers any more.
  process.stdout.on('error', (error) => {
    diag(`stdout failed: ${error.message}`);
    process.exit(1);
  });
  let code: number;
  try {
    code = await run(out);
  } catch (error) {
    diag(`agent runner failed: ${error instanceof Error ? error.stack : String(error)}`);
    const message = error instanceof Error ? error.message : String(error);
    out.send({ type: 'error', message: `agent runner failed: ${message}`, retryable: true });
    code = 1;
  }
  await out.flush();
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    diag(`agent runner failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
