/**
 * The WhatsApp Cloud API channel's settings, read where the skill system writes them: the
 * environment first, then `$NANOCLAW_HOME/.env`. The access token, the app secret and the verify
 * token are secrets: they stay in this object (never in Config, never logged).
 */
import { z } from 'zod';
import { readDotenv } from '../../config.js';

export const DEFAULT_GRAPH_URL = 'https://graph.facebook.com';
/** The Graph API version every call uses (Meta supports a version for about two years). */
export const GRAPH_VERSION = 'v21.0';
export const DEFAULT_WEBHOOK_HOST = '127.0.0.1';
export const DEFAULT_WEBHOOK_PORT = 8443;

export interface CloudSettings {
  token: string;
  phoneNumberId: string;
  appSecret: string;
  verifyToken: string;
  /** Graph API base URL without a trailing slash. */
  graphUrl: string;
  webhookHost: string;
  webhookPort: number;
}

const NAMES = [
  'WHATSAPP_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'WHATSAPP_GRAPH_URL',
  'WHATSAPP_WEBHOOK_HOST',
  'WHATSAPP_WEBHOOK_PORT',
] as const;

const Schema = z.object({
  WHATSAPP_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,}$/, 'WHATSAPP_TOKEN does not look like a Meta access token'),
  WHATSAPP_PHONE_NUMBER_ID: z
    .string({ error: 'WHATSAPP_PHONE_NUMBER_ID is missing (API Setup page of the Meta app)' })
    .regex(/^\d{5,20}$/, 'WHATSAPP_PHONE_NUMBER_ID must be the numeric phone number ID'),
  WHATSAPP_APP_SECRET: z
    .string({ error: 'WHATSAPP_APP_SECRET is missing (App settings → Basic → App secret)' })
    .regex(/^[A-Za-z0-9]{16,}$/, 'WHATSAPP_APP_SECRET does not look like an app secret'),
  WHATSAPP_VERIFY_TOKEN: z
    .string({ error: 'WHATSAPP_VERIFY_TOKEN is missing (any long random string you choose)' })
    .regex(
      /^[A-Za-z0-9._~-]{16,}$/,
      'WHATSAPP_VERIFY_TOKEN must be at least 16 letters, digits or ._~- (openssl rand -hex 24)',
    ),
  WHATSAPP_GRAPH_URL: z
    .url({ protocol: /^https?$/, error: 'WHATSAPP_GRAPH_URL must be an http(s) URL' })
    .default(DEFAULT_GRAPH_URL)
    .transform((url) => url.replace(/\/+$/, '')),
  WHATSAPP_WEBHOOK_HOST: z
    .union([z.ipv4(), z.ipv6(), z.literal('localhost')], {
      error: 'WHATSAPP_WEBHOOK_HOST must be an IP address (default 127.0.0.1)',
    })
    .default(DEFAULT_WEBHOOK_HOST),
  WHATSAPP_WEBHOOK_PORT: z.coerce
    .number({ error: 'WHATSAPP_WEBHOOK_PORT must be a port number' })
    .int('WHATSAPP_WEBHOOK_PORT must be a port number')
    .min(0, 'WHATSAPP_WEBHOOK_PORT must be 0–65535')
    .max(65535, 'WHATSAPP_WEBHOOK_PORT must be 0–65535')
    .default(DEFAULT_WEBHOOK_PORT),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: CloudSettings }
  | { kind: 'invalid'; problem: string };

type Values = Partial<Record<(typeof NAMES)[number], string | undefined>>;

/** Pure: the settings from the merged values; `absent` without a token (the channel is off). */
export function parseSettings(values: Values): SettingsResult {
  if (!values.WHATSAPP_TOKEN) return { kind: 'absent' };
  const given = Object.fromEntries(NAMES.map((n) => [n, values[n] || undefined]));
  const parsed = Schema.safeParse(given);
  if (!parsed.success) {
    // Messages only: zod's issue objects would carry the rejected value (a secret).
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const d = parsed.data;
  return {
    kind: 'ok',
    settings: {
      token: d.WHATSAPP_TOKEN,
      phoneNumberId: d.WHATSAPP_PHONE_NUMBER_ID,
      appSecret: d.WHATSAPP_APP_SECRET,
      verifyToken: d.WHATSAPP_VERIFY_TOKEN,
      graphUrl: d.WHATSAPP_GRAPH_URL,
      webhookHost: d.WHATSAPP_WEBHOOK_HOST,
      webhookPort: d.WHATSAPP_WEBHOOK_PORT,
    },
  };
}

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(env: NodeJS.ProcessEnv, envFile: string): SettingsResult {
  const file = readDotenv(envFile);
  return parseSettings(Object.fromEntries(NAMES.map((n) => [n, env[n] || file[n]])));
}

/** Pure: the token would cross a network in clear text (http to a host other than this one). */
export { sendsSecretInClear as sendsTokenInClear } from '../factory.js';

/** Replaces every secret wherever it appears, in one pass (error texts can quote requests). */
export function redact(text: string, settings: Pick<CloudSettings, 'token' | 'appSecret'>): string {
  const secrets = [settings.token, settings.appSecret].filter(Boolean);
  if (secrets.length === 0) return text;
  const any = new RegExp(
    secrets.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'),
    'g',
  );
  return text.replace(any, '<secret>');
}
