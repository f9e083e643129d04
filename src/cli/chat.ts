/**
 * `nanoclaw chat`: the terminal chat. A client of the running host's web API (same groups, same
 * store): prints recent history, sends each line typed, and prints messages as they arrive.
 */
import readline from 'node:readline';
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { parse } from './args.js';
import type { CliContext } from './index.js';
import { SseParser } from './sse.js';

const USAGE = 'nanoclaw chat [--chat web:main] [--wait <seconds>]';

interface ApiMessage {
  id: string;
  ts: number;
  sender: string;
  fromAssistant: boolean;
  text: string;
}

function show(ctx: CliContext, m: ApiMessage): void {
  const time = new Date(m.ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  ctx.stdout.write(`[${time}] ${m.sender}: ${m.text}\n`);
}

export async function chatCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values } = parse(
    args,
    { chat: { type: 'string', default: 'web:main' }, wait: { type: 'string', default: '120' } },
    USAGE,
  );
  const config = loadConfig(ctx.env, ctx.appRoot);
  const host = config.web.host.includes(':') ? `[${config.web.host}]` : config.web.host;
  const base = `http://${host}:${config.web.port}/api/chats/${encodeURIComponent(values.chat)}`;
  const headers: Record<string, string> = config.web.token
    ? { authorization: `Bearer ${config.web.token}` }
    : {};
  const history = await fetch(`${base}/messages?limit=20`, { headers }).catch(() => undefined);
  if (!history) {
    ctx.stderr.write(
      `NanoClaw is not running at http://${host}:${config.web.port} — start it with \`npm start\`.\n`,
    );
    return 1;
  }
  const body = (await history.json()) as { messages?: ApiMessage[]; error?: string };
  if (!history.ok) throw new UserError(body.error ?? `HTTP ${history.status}`);
  const seen = new Set<string>();
  for (const m of body.messages ?? []) {
    seen.add(m.id);
    show(ctx, m);
  }
  return converse(ctx, base, headers, seen, Number(values.wait) * 1000);
}

async function converse(
  ctx: CliContext,
  base: string,
  headers: Record<string, string>,
  seen: Set<string>,
  waitMs: number,
): Promise<number> {
  const stop = new AbortController();
  let awaiting = 0;
  let inputDone = false;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const maybeFinish = () => {
    if (inputDone && awaiting === 0) finish();
  };
  void follow(base, headers, stop.signal, (event, data) => {
    if (event === 'typing') {
      if ((JSON.parse(data) as { on: boolean }).on) ctx.stderr.write('(typing…)\n');
      return;
    }
    if (event !== 'message') return;
    const m = JSON.parse(data) as ApiMessage;
    if (seen.has(m.id)) return;
    seen.add(m.id);
    if (m.fromAssistant) {
      show(ctx, m);
      awaiting = Math.max(0, awaiting - 1);
      maybeFinish();
    }
  });
  const lines = readline.createInterface({ input: ctx.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const res = await fetch(`${base}/messages`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ text: line, senderName: 'Terminal' }),
    });
    const reply = (await res.json()) as { id?: string; error?: string };
    if (!res.ok) ctx.stderr.write(`Not sent: ${reply.error ?? `HTTP ${res.status}`}\n`);
    else awaiting += 1;
  }
  inputDone = true;
  maybeFinish();
  const timeout = setTimeout(finish, waitMs);
  await finished;
  clearTimeout(timeout);
  stop.abort();
  return 0;
}

async function follow(
  base: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  try {
    const res = await fetch(`${base}/events`, { headers, signal });
    if (!res.body) return;
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      for (const e of parser.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        onEvent(e.event, e.data);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
