/**
 * The runner's stdio: protocol lines out on the real stdout (nothing else may write there), and
 * parsed host messages in from stdin. Anything else that tries to print to stdout is redirected
 * to stderr, so a chatty library can never corrupt the protocol.
 */
import type { Readable } from 'node:stream';
import { AsyncQueue } from '../shared/async-queue.js';
import { readLines } from '../shared/lines.js';
import {
  HostToRunnerSchema,
  MAX_PROTOCOL_LINE_BYTES,
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

/** A diagnostic line for the host's stderr tail (never protocol, never secrets). */
export function diag(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

export type InputItem = { ok: true; message: HostToRunner } | { ok: false; error: string };

/** Every stdin line, parsed (and size-capped); ends when stdin closes. */
export function readInput(stdin: Readable): AsyncQueue<InputItem> {
  const queue = new AsyncQueue<InputItem>();
  readLines(stdin, MAX_PROTOCOL_LINE_BYTES, {
    line(text) {
      if (!text.trim()) return;
      const parsed = parseLine(HostToRunnerSchema, text);
      queue.push(
        parsed.ok ? { ok: true, message: parsed.value } : { ok: false, error: parsed.error },
      );
    },
    overflow: (bytes) => queue.push({ ok: false, error: `line too long (${bytes} bytes)` }),
  });
  stdin.on('end', () => queue.end());
  stdin.on('error', (error) => {
    diag(`stdin failed: ${error.message}`);
    queue.end();
  });
  return queue;
}
