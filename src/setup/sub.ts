/** Runs another CLI command in-process for setup, its output lines shown as the step's progress. */
import { Writable } from 'node:stream';
import type { CliContext } from '../cli/index.js';
import type { SetupContext } from './step.js';

export async function sub(
  ctx: SetupContext,
  run: (args: string[], c: CliContext) => Promise<number>,
  args: string[],
  onLine: (line: string) => void = (line) => ctx.progress(line),
): Promise<number> {
  let buffer = '';
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, next) {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
      next();
    },
  });
  const code = await run(args, { ...ctx.cli, stdout });
  if (buffer.trim()) onLine(buffer);
  return code;
}
