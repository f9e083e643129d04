/**
 * `nanoclaw <command>`: the operator's entry point. Parses arguments, dispatches, and turns
 * UserErrors into a plain message and exit code 2 (never a stack trace for a user mistake).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ConfigError, UserError, errorMessage } from '../errors.js';
import { dispatch } from './commands.js';

export interface CliContext {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Root of the installed NanoClaw (holds dist/ and node_modules/). */
  appRoot: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function main(ctx: CliContext): Promise<number> {
  return dispatch(ctx.argv, ctx);
}

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ctx: CliContext = {
  argv: process.argv.slice(2),
  env: process.env,
  appRoot,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
};
main(ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UserError || error instanceof ConfigError) {
      ctx.stderr.write(`nanoclaw: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    ctx.stderr.write(`nanoclaw: unexpected error: ${errorMessage(error)}\n`);
    if (error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
