/**
 * The agent runner: the program that runs inside the sandbox. It reads its start message and
 * follow-ups as JSON lines on stdin, runs the Claude Agent SDK with a streaming prompt in the
 * group's folder and session, and reports events as JSON lines on stdout.
 *
 * It holds no secret: the capability it gets identifies this run to the host and doubles as the
 * SDK's placeholder API key, which the host gateway swaps for the real one.
 */
import { query, type Options } from '@anthropic-ai/claude-agent-sdk';
import type { StartMessage } from '../shared/protocol.js';
import { isInvalidSession, resultError, toEvents, type SdkMessageLike } from './events.js';
import { startForwarder } from './forwarder.js';
import { createHostClient } from './host-client.js';
import { readInput, takeStdout, type InputItem, type ProtocolOut } from './io.js';
import { nanoclawMcpServer } from './mcp-tools.js';
import { PromptFeed } from './prompts.js';

type QueryOutcome = 'ok' | 'invalid-session' | 'failed';

/** The complete environment of the SDK's CLI (options.env replaces, it does not merge). */
function cliEnv(start: StartMessage, baseUrl: string): Record<string, string> {
  const own = process.env;
  const env: Record<string, string> = {
    PATH: own.PATH ?? '/usr/bin:/bin',
    HOME: own.HOME ?? '/home/agent',
    TMPDIR: own.TMPDIR ?? '/tmp',
    LANG: own.LANG ?? 'C.UTF-8',
    TZ: start.timezone,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: start.capability,
    NANOCLAW_HOST_URL: baseUrl,
    // All other traffic leaves through the gateway's egress proxy, under the group's policy.
    ...proxyEnv(`http://nanoclaw:${start.capability}@127.0.0.1:${new URL(baseUrl).port}`),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
  };
  for (const key of ['CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_MAX_RETRIES', 'NANOCLAW_SANDBOX'] as const) {
    const value = own[key];
    if (value) env[key] = value;
  }
  // The CLI refuses bypassPermissions as root unless told it is sandboxed (tests on the host).
  if (process.getuid?.() === 0) env.IS_SANDBOX = '1';
  return env;
}

function proxyEnv(proxy: string): Record<string, string> {
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

function queryOptions(start: StartMessage, port: number, resume: string | undefined): Options {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    cwd: process.cwd(),
    // 'project' loads the group's CLAUDE.md from the cwd as memory.
    settingSources: ['project'],
    systemPrompt: start.globalMemory
      ? { type: 'preset', preset: 'claude_code', append: start.globalMemory }
      : { type: 'preset', preset: 'claude_code' },
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    env: cliEnv(start, baseUrl),
    mcpServers: { nanoclaw: nanoclawMcpServer(createHostClient(baseUrl, start.capability)) },
    stderr: (data: string) => process.stderr.write(data),
    ...(resume ? { resume } : {}),
    ...(start.model ? { model: start.model } : {}),
  };
}

async function runQuery(
  options: Options,
  feed: PromptFeed,
  out: ProtocolOut,
  fresh: boolean,
): Promise<QueryOutcome> {
  let reported = false;
  try {
    for await (const message of query({ prompt: feed.stream(), options })) {
      const sdk = message as SdkMessageLike;
      if (sdk.type === 'result') {
        if (sdk.subtype !== 'success' && options.resume && isInvalidSession(resultError(sdk))) {
          return 'invalid-session';
        }
        feed.answered();
      }
      for (const event of toEvents(sdk, fresh)) {
        if (event.type === 'error') reported = true;
        out.send(event);
      }
    }
    return reported ? 'failed' : 'ok';
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (options.resume && isInvalidSession(text)) return 'invalid-session';
    if (!reported) out.send({ type: 'error', message: text, retryable: true });
    return 'failed';
  }
}

/** Runs the conversation; an invalid stored session is replaced by a fresh one, once. */
async function converse(start: StartMessage, port: number, feed: PromptFeed, out: ProtocolOut) {
  let resume = start.sessionId;
  for (;;) {
    const outcome = await runQuery(queryOptions(start, port, resume), feed, out, !resume);
    if (outcome !== 'invalid-session' || !resume) return outcome === 'ok';
    process.stderr.write(`session ${resume} cannot be resumed; starting a fresh one\n`);
    resume = undefined;
    feed.replay();
  }
}

function pump(input: AsyncIterator<InputItem>, feed: PromptFeed, out: ProtocolOut): void {
  void (async () => {
    for (let item = await input.next(); !item.done; item = await input.next()) {
      const value = item.value;
      if (!value.ok) {
        out.send({ type: 'error', message: `bad input line: ${value.error}`, retryable: false });
      } else if (value.message.type === 'message') {
        feed.push(value.message.text);
      } else if (value.message.type === 'close') {
        break;
      }
    }
    // Closing stdin or `close`: finish what is running (subagents included), then exit.
    feed.end();
  })();
}

async function main(): Promise<number> {
  const out = takeStdout();
  const input = readInput(process.stdin)[Symbol.asyncIterator]();
  const first = await input.next();
  if (first.done || !first.value.ok || first.value.message.type !== 'start') {
    const why = first.done
      ? 'stdin closed'
      : first.value.ok
        ? 'first message was not start'
        : first.value.error;
    out.send({ type: 'error', message: `expected a start message (${why})`, retryable: false });
    await out.flush();
    return 1;
  }
  const start = first.value.message;
  const forwarder = await startForwarder(start.gateway);
  out.send({ type: 'ready' });
  const feed = new PromptFeed();
  feed.push(start.prompt);
  pump(input, feed, out);
  const ok = await converse(start, forwarder.port, feed, out);
  await forwarder.close();
  if (ok) out.send({ type: 'done' });
  await out.flush();
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `agent runner failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  },
);
