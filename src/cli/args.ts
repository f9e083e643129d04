/**
 * Argument parsing shared by commands: node's parseArgs, with its errors turned into short
 * UserErrors that end with the command's usage (exit 2). `--help` is handled before any command
 * runs (see commands.ts), so no command touches the data directory to print its usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.js';

/** `--help` or `-h` before a `--` separator. */
export function wantsHelp(args: readonly string[]): boolean {
  for (const arg of args) {
    if (arg === '--') return false;
    if (arg === '--help' || arg === '-h') return true;
  }
  return false;
}

export function parse<T extends ParseArgsConfig['options']>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${parseProblem(error)}\nUsage: ${usage}`, {}, { cause: error });
  }
}

/** Node's parser messages, said plainly (they mention `-- "--foo"` and `<value>` syntax). */
export function parseProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : '';
  const option = /'(-[^' ]+)/.exec(message)?.[1];
  if (!option) return message;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `Unknown option ${option}.`;
  if (/argument missing/.test(message)) return `Option ${option} needs a value.`;
  if (/does not take an argument/.test(message)) return `Option ${option} takes no value.`;
  return message;
}

/** The subcommand, checked before anything is opened; a wrong one gets the usage. */
export function subcommand<S extends string>(
  sub: string | undefined,
  known: readonly S[],
  usage: string,
): S {
  const found = known.find((k) => k === sub);
  if (found) return found;
  const problem = sub === undefined ? 'Give a subcommand.' : `Unknown subcommand "${sub}".`;
  throw new UserError(`${problem}\nUsage: ${usage}`);
}

/** A command that takes no positional arguments says so instead of ignoring them. */
export function noPositionals(positionals: readonly string[], usage: string): void {
  if (positionals.length > 0)
    throw new UserError(`Unexpected argument "${positionals[0]}".\nUsage: ${usage}`);
}
