/**
 * The Slack channel's settings, read where the skill system writes them: the environment first,
 * then `$NANOCLAW_HOME/.env`. Both tokens are secrets: they stay in this object (never in
 * Config, never logged) and go only into Authorization headers of requests to the Slack API.
 */
import { z } from 'zod';
import { readDotenv } from '../../config.js';

export const DEFAULT_API_URL = 'https://slack.com/api/';

/** A bot token (OAuth & Permissions → Bot User OAuth Token); same pattern as the manifest's. */
export const BOT_TOKEN_PATTERN = /^xoxb-[A-Za-z0-9-]{10,}$/;
/** An app-level token with the connections:write scope (Socket Mode). */
export const APP_TOKEN_PATTERN = /^xapp-[A-Za-z0-9-]{10,}$/;

export interface SlackSettings {
  botToken: string;
  appToken: string;
  /** Web API base URL ending in `/` (the Socket Mode URL comes from apps.connections.open). */
  apiUrl: string;
}

const Schema = z.object({
  SLACK_BOT_TOKEN: z
    .string()
    .regex(BOT_TOKEN_PATTERN, 'SLACK_BOT_TOKEN does not look like a bot token (xoxb-…)'),
  SLACK_APP_TOKEN: z
    .string({ error: 'SLACK_APP_TOKEN is missing (the app-level token, xapp-…, for Socket Mode)' })
    .regex(APP_TOKEN_PATTERN, 'SLACK_APP_TOKEN does not look like an app-level token (xapp-…)'),
  SLACK_API_URL: z
    .url({ protocol: /^https?$/, error: 'SLACK_API_URL must be an http(s) URL' })
    .default(DEFAULT_API_URL)
    .transform((url) => (url.endsWith('/') ? url : `${url}/`)),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: SlackSettings }
  | { kind: 'invalid'; problem: string };

/** Pure: the settings from the merged values; `absent` without a bot token (the channel is off). */
export function parseSettings(values: Record<string, string | undefined>): SettingsResult {
  if (!values.SLACK_BOT_TOKEN) return { kind: 'absent' };
  const parsed = Schema.safeParse({
    SLACK_BOT_TOKEN: values.SLACK_BOT_TOKEN,
    SLACK_APP_TOKEN: values.SLACK_APP_TOKEN || undefined,
    SLACK_API_URL: values.SLACK_API_URL || undefined,
  });
  if (!parsed.success) {
    // Messages only: zod's issue objects would carry the rejected value (a token).
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const {
    SLACK_BOT_TOKEN: botToken,
    SLACK_APP_TOKEN: appToken,
    SLACK_API_URL: apiUrl,
  } = parsed.data;
  return { kind: 'ok', settings: { botToken, appToken, apiUrl } };
}

const NAMES = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_API_URL'] as const;

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(env: NodeJS.ProcessEnv, envFile: string): SettingsResult {
  const file = readDotenv(envFile);
  return parseSettings(Object.fromEntries(NAMES.map((n) => [n, env[n] || file[n]])));
}

/** Pure: the token would cross a network in clear text (http to a host other than this one). */
export { sendsSecretInClear as sendsTokenInClear } from '../factory.js';

/** Replaces both tokens wherever they appear (error texts can quote requests). */
export function redact(text: string, settings: Pick<SlackSettings, 'botToken' | 'appToken'>) {
  let out = text;
  for (const token of [settings.botToken, settings.appToken]) {
    if (token) out = out.split(token).join('<token>');
  }
  return out;
}
