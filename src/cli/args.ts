/** Argument parsing shared by commands: node's parseArgs, with errors turned into UserErrors. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../errors.js';

export function parse<T extends ParseArgsConfig['options']>(
  args: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UserError(`${(error as Error).message}\nUsage: ${usage}`, {}, { cause: error });
  }
}
