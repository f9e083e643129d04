/**
 * Starts the real host (`nanoclaw start`) as a child process for end-to-end tests and finds the
 * web chat URL it prints. Stop it gently (SIGTERM) or hard (SIGKILL, to simulate a crash).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { CLI } from './cli.js';

export interface HostProcess {
  url: string;
  pid: number;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startHostProcess(env: Record<string, string>): Promise<HostProcess> {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [CLI, 'start'],
    {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', WEB_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Open the chat: (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid ?? 0,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
  };
}

export interface ChatMessage {
  id: string;
  ts: number;
  sender: string;
  fromAssistant: boolean;
  text: string;
  /** A scheduled task's answer: the task's label. */
  task?: string | null;
}

export async function postMessage(url: string, chatId: string, text: string): Promise<Response> {
  return fetch(`${url}/api/chats/${encodeURIComponent(chatId)}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text }),
  });
}

export async function history(url: string, chatId: string): Promise<ChatMessage[]> {
  const res = await fetch(`${url}/api/chats/${encodeURIComponent(chatId)}/messages?limit=200`);
  if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
  const body = (await res.json()) as { messages: ChatMessage[] };
  return body.messages;
}

/** Polls the history until `done` holds (end-to-end runs take seconds). */
export async function waitForHistory(
  url: string,
  chatId: string,
  done: (messages: ChatMessage[]) => boolean,
  timeoutMs = 60_000,
): Promise<ChatMessage[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const messages = await history(url, chatId);
    if (done(messages)) return messages;
    if (Date.now() > until) {
      throw new Error(`timed out; history: ${JSON.stringify(messages, null, 1)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
