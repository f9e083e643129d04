/**
 * The Telegram channel's settings, read where the skill system writes them: the environment
 * first, then `$NANOCLAW_HOME/.env`. The token is a secret: it stays in this object (never in
 * Config, never logged) and goes only into Bot API request URLs.
 */
import { z } from 'zod';
import { readDotenv } from '../../config.js';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';

/** `<bot id>:<secret>`, as @BotFather hands it out (same pattern as the manifest's). */
export const TOKEN_PATTERN = /^\d+:[A-Za-z0-9_-]{30,}$/;

export interface TelegramSettings {
  token: string;
  /** Bot API base URL without a trailing slash (grammY refuses one). */
  apiRoot: string;
}

const Schema = z.object({
  TELEGRAM_BOT_TOKEN: z
    .string()
    .regex(TOKEN_PATTERN, 'TELEGRAM_BOT_TOKEN does not look like a bot token (123456:ABC…)'),
  TELEGRAM_API_ROOT: z
    .url({ protocol: /^https?$/, error: 'TELEGRAM_API_ROOT must be an http(s) URL' })
    .default(DEFAULT_API_ROOT)
    .transform((url) => url.replace(/\/+$/, '')),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: TelegramSettings }
  | { kind: 'invalid'; problem: string };

/** Pure: the settings from the merged values; `absent` without a token (the channel is off). */
export function parseSettings(values: Record<string, string | undefined>): SettingsResult {
  if (!values.TELEGRAM_BOT_TOKEN) return { kind: 'absent' };
  const parsed = Schema.safeParse({
    TELEGRAM_BOT_TOKEN: values.TELEGRAM_BOT_TOKEN,
    TELEGRAM_API_ROOT: values.TELEGRAM_API_ROOT || undefined,
  });
  if (!parsed.success) {
    // Messages only: zod's issue objects would carry the rejected value (the token).
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: apiRoot } = parsed.data;
  return { kind: 'ok', settings: { token, apiRoot } };
}

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(env: NodeJS.ProcessEnv, envFile: string): SettingsResult {
  const file = readDotenv(envFile);
  return parseSettings({
    TELEGRAM_BOT_TOKEN: env.TELEGRAM_BOT_TOKEN || file.TELEGRAM_BOT_TOKEN,
    TELEGRAM_API_ROOT: env.TELEGRAM_API_ROOT || file.TELEGRAM_API_ROOT,
  });
}

/** Pure: the token would cross a network in clear text (http to a host other than this one). */
export { sendsSecretInClear as sendsTokenInClear } from '../factory.js';

/** Replaces the token wherever it appears (error texts can quote request URLs). */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join('<token>') : text;
}
