/**
 * `nanoclaw setup`'s options from flags (pure). Secrets never come from flags (they would show in
 * `ps` and shell history): ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN and ANTHROPIC_AUTH_TOKEN
 * are taken from the environment, or asked for (hidden) on a terminal.
 */
import { UserError } from '../errors.js';

export const STEP_IDS = [
  'environment',
  'runtime',
  'model',
  'assistant',
  'channel',
  'mounts',
  'service',
  'turn',
] as const;
export type StepId = (typeof STEP_IDS)[number];

export interface SetupOptions {
  yes: boolean;
  json: boolean;
  runtime?: string;
  baseUrl?: string;
  model?: string;
  name?: string;
  tz?: string;
  webPort?: string;
  channel?: string;
  set: string[];
  allow?: string;
  service: boolean | undefined;
  manager?: string;
  turn: boolean;
  /** Steps to do again even though they are done. */
  change: StepId[];
}

export type RawFlags = {
  [
    K in
      | 'runtime'
      | 'base-url'
      | 'model'
      | 'name'
      | 'tz'
      | 'web-port'
      | 'channel'
      | 'allow'
      | 'manager'
  ]?: string;
} & {
  yes?: boolean;
  json?: boolean;
  set?: string[];
  change?: string[];
  service?: boolean;
  'no-service'?: boolean;
  'no-turn'?: boolean;
};

export function parseChange(values: readonly string[]): StepId[] {
  const out: StepId[] = [];
  for (const v of values.flatMap((x) => x.split(','))) {
    const id = STEP_IDS.find((s) => s === v.trim());
    if (!id) throw new UserError(`--change ${v}: not a step. Steps: ${STEP_IDS.join(', ')}.`);
    out.push(id);
  }
  return out;
}

export function setupOptions(flags: RawFlags): SetupOptions {
  if (flags.service && flags['no-service']) {
    throw new UserError('Give --service or --no-service, not both.');
  }
  const service = flags.service ? true : flags['no-service'] ? false : undefined;
  return {
    yes: flags.yes ?? false,
    json: flags.json ?? false,
    ...(flags.runtime ? { runtime: flags.runtime } : {}),
    ...(flags['base-url'] ? { baseUrl: flags['base-url'] } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    ...(flags.name ? { name: flags.name } : {}),
    ...(flags.tz ? { tz: flags.tz } : {}),
    ...(flags['web-port'] ? { webPort: flags['web-port'] } : {}),
    ...(flags.channel ? { channel: flags.channel } : {}),
    ...(flags.allow ? { allow: flags.allow } : {}),
    ...(flags.manager ? { manager: flags.manager } : {}),
    set: flags.set ?? [],
    service,
    turn: !flags['no-turn'],
    change: parseChange(flags.change ?? []),
  };
}
