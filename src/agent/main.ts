/**
 * The agent runner: the program that runs inside the sandbox. It reads its start message and
 * follow-ups as JSON lines on stdin, runs the Claude Agent SDK with a streaming prompt in the
 * group's folder and session, and reports events as JSON lines on stdout.
 *
 * It holds no secret: the capability it gets identifies this run to the host and doubles as the
 * SDK's placeholder API key, which the host gateway swaps for the real one.
 */
import { fileURLToPath } from 'node:url';
import { query, type Options } from '@anthropic-ai/claude-agent-sdk';
import type { StartMessage } from '../shared/protocol.js';
import { cliEnv } from './env.js';
import {
  EventMapper,
  isErrorResult,
  isInvalidSession,
  resultError,
  type SdkMessageLike,
} from './events.js';
import { startForwarder } from './forwarder.js';
import { createHostClient, type HostClient } from './host-client.js';
import { diag, readInput, takeStdout, type InputItem, type ProtocolOut } from './io.js';
import { nanoclawMcpServer } from './mcp-tools.js';
import { loadImages } from './images.js';
import { PromptFeed } from './prompts.js';
import { loadSkillTools, skillsMcpServer, type SkillTool } from './skill-tools.js';

type QueryOutcome = 'ok' | 'invalid-session' | 'failed';

interface Tools {
  host: HostClient;
  skills: SkillTool[];
}

function queryOptions(
  start: StartMessage,
  port: number,
  tools: Tools,
  resume: string | undefined,
): Options {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    cwd: process.cwd(),
    // 'project' loads the group's CLAUDE.md from the cwd as memory.
    settingSources: ['project', 'user'],
    systemPrompt: start.globalMemory
      ? { type: 'preset', preset: 'claude_code', append: start.globalMemory }
      : { type: 'preset', preset: 'claude_code' },
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    env: cliEnv(start, baseUrl, process.env, process.getuid?.() === 0),
    mcpServers: {
      nanoclaw: nanoclawMcpServer(tools.host),
      ...(tools.skills.length > 0 ? { skills: skillsMcpServer(tools.skills) } : {}),
    },
    // The CLI's diagnostics go to our stderr as they come (chunks, not lines).
    stderr: (data: string) => process.stderr.write(data),
    ...(resume ? { resume } : {}),
    ...(start.model ? { model: start.model } : {}),
    ...(start.effort ? { effort: start.effort } : {}),
  };
}

/**
 * One SDK query over the feed. A turn that ends in an error result ends the run: while the
 * prompt stream is open the SDK would wait for more input, but the host expects the run to
 * exit and retries the same messages later. (Once input has ended, the SDK also throws it.)
 */
async function runQuery(
  options: Options,
  feed: PromptFeed,
  out: ProtocolOut,
  events: EventMapper,
): Promise<QueryOutcome> {
  // A resume that fails before the session starts is an invalid session, not a failed turn.
  let started = false;
  const invalidSession = (text: string) => !started && !!options.resume && isInvalidSession(text);
  try {
    for await (const message of query({ prompt: feed.stream(), options })) {
      const sdk = message as SdkMessageLike;
      if (sdk.type === 'system' && sdk.subtype === 'init') started = true;
      if (isErrorResult(sdk) && invalidSession(resultError(sdk))) return 'invalid-session';
      if (sdk.type === 'result') feed.answered();
      for (const event of events.map(sdk)) out.send(event);
      if (isErrorResult(sdk)) return 'failed';
    }
    return 'ok';
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (invalidSession(text)) return 'invalid-session';
    out.send({ type: 'error', message: events.masked(text), retryable: true });
    return 'failed';
  }
}

/** Runs the conversation; an invalid stored session is replaced by a fresh one, once. */
async function converse(start: StartMessage, port: number, feed: PromptFeed, out: ProtocolOut) {
  const events = new EventMapper(!start.sessionId, [start.capability]);
  const host = createHostClient(`http://127.0.0.1:${port}`, start.capability);
  // Tool skills: compiled modules next to this file (see skill-tools.ts).
  const toolsDir = fileURLToPath(new URL('./tools/', import.meta.url));
  const tools = { host, skills: await loadSkillTools(toolsDir, { host }) };
  const first = await runQuery(
    queryOptions(start, port, tools, start.sessionId),
    feed,
    out,
    events,
  );
  if (first !== 'invalid-session') return first === 'ok';
  diag(`session ${start.sessionId ?? ''} cannot be resumed; starting a fresh one`);
  events.restartFresh();
  feed.replay();
  return (await runQuery(queryOptions(start, port, tools, undefined), feed, out, events)) === 'ok';
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
