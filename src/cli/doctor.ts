/** `nanoclaw doctor`: every check with pass/fail and the exact fix; exit 1 when one fails. */
import { loadConfig, type Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { anyFailed, fail, formatCheck } from '../setup/check.js';
import { runDoctor } from '../setup/doctor.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw doctor [--json]
  Checks Node.js, git, the sandbox runtime (a real sandbox start), the sandbox user's access,
  the agent image, the model credential (a real minimal request), the mount allowlist, the data
  directory's permissions, the database, disk space, channel credentials and the service.
  Prints each with its fix; exits 1 if any check fails. --json: one JSON object per check.`;

export async function doctorCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
  noPositionals(positionals, USAGE);
  let config: Config;
  try {
    config = loadConfig(ctx.env, ctx.appRoot);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Bad settings are a finding like any other, not a reason to check nothing.
    const result = fail(
      'settings',
      'Settings',
      error.message,
      'Correct the settings named above (environment or .env), then run nanoclaw doctor again.',
    );
    ctx.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatCheck(result)}\n`);
    return 1;
  }
  if (!values.json) ctx.stdout.write(`NanoClaw doctor (NANOCLAW_HOME=${config.home})\n`);
  const results = await runDoctor(config, ctx.env, AbortSignal.timeout(5 * 60_000), (r) => {
    ctx.stdout.write(values.json ? `${JSON.stringify(r)}\n` : `${formatCheck(r)}\n`);
  });
  const failed = results.filter((r) => r.status === 'fail').length;
  if (!values.json) {
    ctx.stdout.write(
      failed
        ? `\n${failed} check(s) failed: apply the fixes above, then run nanoclaw doctor again.\n`
        : '\nAll checks passed.\n',
    );
  }
  return anyFailed(results) ? 1 : 0;
}
