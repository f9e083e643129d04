/**
 * The Discord channel's settings, read where the skill system writes them: the environment
 * first, then `$NANOCLAW_HOME/.env`. The token is a secret: it stays in this object (never in
 * Config, never logged) and goes only into the Authorization header of REST and the gateway's
 * IDENTIFY/RESUME.
 */
import { z } from 'zod';
import { readDotenv } from '../../config.js';

export const DEFAULT_API_URL = 'https://discord.com/api';

/** Three base64url parts separated by dots (bot id, timestamp, HMAC), as the portal hands out. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/;

export interface DiscordSettings {
  token: string;
  /** REST base URL without a trailing slash; `/v10/...` is appended (the gateway URL comes from it). */
  apiUrl: string;
}

const Schema = z.object({
  DISCORD_BOT_TOKEN: z
    .string()
    .regex(
      TOKEN_PATTERN,
      'DISCORD_BOT_TOKEN does not look like a bot token (three dot-separated parts, from the Developer Portal → Bot → Reset Token)',
    ),
  DISCORD_API_URL: z
    .url({ protocol: /^https?$/, error: 'DISCORD_API_URL must be an http(s) URL' })
    .default(DEFAULT_API_URL)
    .transform((url) => url.replace(/\/+$/, '')),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: DiscordSettings }
  | { kind: 'invalid'; problem: string };

/** Pure: the settings from the merged values; `absent` without a token (the channel is off). */
export function parseSettings(values: Record<string, string | undefined>): SettingsResult {
  if (!values.DISCORD_BOT_TOKEN) return { kind: 'absent' };
  const parsed = Schema.safeParse({
    // People paste "Bot <token>" from examples; the prefix is added by the client.
    DISCORD_BOT_TOKEN: values.DISCORD_BOT_TOKEN.replace(/^Bot\s+/i, '').trim(),
    DISCORD_API_URL: values.DISCORD_API_URL || undefined,
  });
  if (!parsed.success) {
    // Messages only: zod's issue objects would carry the rejected value (the token).
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const { DISCORD_BOT_TOKEN: token, DISCORD_API_URL: apiUrl } = parsed.data;
  return { kind: 'ok', settings: { token, apiUrl } };
}

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(env: NodeJS.ProcessEnv, envFile: string): SettingsResult {
  const file = readDotenv(envFile);
  return parseSettings({
    DISCORD_BOT_TOKEN: env.DISCORD_BOT_TOKEN || file.DISCORD_BOT_TOKEN,
    DISCORD_API_URL: env.DISCORD_API_URL || file.DISCORD_API_URL,
  });
}

/** Pure: the token would cross a network in clear text (http to a host other than this one). */
export { sendsSecretInClear as sendsTokenInClear } from '../factory.js';

/** Replaces the token wherever it appears (error texts can quote requests). */
export function redact(text: string, token: string): string {
  return token ? text.split(token).join('<token>') : text;
}
