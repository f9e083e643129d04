/** The system `tar`, run without a shell; stops with the signal; its stderr in the error. */
import { spawn } from 'node:child_process';
import { NanoClawError } from '../errors.js';

export function tar(
  args: readonly string[],
  options: { signal: AbortSignal; stdoutFd?: number },
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {
      stdio: ['ignore', options.stdoutFd ?? 'pipe', 'pipe'],
      signal: options.signal,
    });
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (error) =>
      reject(new NanoClawError(`tar could not run: ${error.message}`, {}, { cause: error })),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new NanoClawError(`tar ${args[0]} failed (exit ${code}): ${err.trim()}`));
    });
  });
}
