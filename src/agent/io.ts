/**
 * The runner's stdio: protocol lines out on the real stdout (nothing else may write there), and
 * parsed host messages in from stdin. Anything else that tries to print to stdout is redirected
 * to stderr, so a chatty library can never corrupt the protocol.
 */
import readline from 'node:readline';
import { AsyncQueue } from '../shared/async-queue.js';
import {
  HostToRunnerSchema,
  encodeLine,
  parseLine,
  type HostToRunner,
  type RunnerToHost,
} from '../shared/protocol.js';

export interface ProtocolOut {
  send(message: RunnerToHost): void;
  /** Resolves when everything written so far has been flushed. */
  flush(): Promise<void>;
}

export function takeStdout(): ProtocolOut {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout);
  const toStderr = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  stdout.write = toStderr;
  return {
    send(message) {
      write(encodeLine(message));
    },
    flush() {
      return new Promise((resolve) => write('', () => resolve()));
    },
  };
}

export type InputItem = { ok: true; message: HostToRunner } | { ok: false; error: string };

/** Every stdin line, parsed; ends when stdin closes. */
export function readInput(stdin: NodeJS.ReadableStream): AsyncQueue<InputItem> {
  const queue = new AsyncQueue<InputItem>();
  const lines = readline.createInterface({ input: stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    const parsed = parseLine(HostToRunnerSchema, line);
    queue.push(
      parsed.ok ? { ok: true, message: parsed.value } : { ok: false, error: parsed.error },
    );
  });
  lines.on('close', () => queue.end());
  return queue;
}
