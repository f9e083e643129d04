/**
 * The email channel's settings, read where the skill system writes them: the environment first,
 * then `$NANOCLAW_HOME/.env`. Passwords and OAuth2 secrets stay in this object (never in Config,
 * never logged) and go only to the IMAP/SMTP login and the token endpoint.
 */
import { z } from 'zod';
import { readDotenv } from '../../config.js';
import { parseAllowlist, type AllowEntry } from './policy.js';

export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/** `true`: TLS from the first byte (993/465); `starttls`: upgrade required; `false`: plain. */
export type TlsMode = 'true' | 'starttls' | 'false';

export interface ServerSettings {
  host: string;
  port: number;
  tls: TlsMode;
  user: string;
}

export type EmailAuth =
  | { kind: 'password'; imapPassword: string; smtpPassword: string }
  | {
      kind: 'oauth2';
      clientId: string;
      clientSecret: string;
      refreshToken: string;
      tokenUrl: string;
    };

export interface EmailSettings {
  address: string;
  imap: ServerSettings;
  smtp: ServerSettings;
  auth: EmailAuth;
  allowedSenders: AllowEntry[];
  /** The receiving server's authserv-id whose Authentication-Results are honoured, if any. */
  trustedAuthserv: string | undefined;
}

export const SETTING_NAMES = [
  'EMAIL_ADDRESS',
  'IMAP_HOST',
  'IMAP_PORT',
  'IMAP_TLS',
  'IMAP_USER',
  'IMAP_PASSWORD',
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_TLS',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'EMAIL_OAUTH_CLIENT_ID',
  'EMAIL_OAUTH_CLIENT_SECRET',
  'EMAIL_OAUTH_REFRESH_TOKEN',
  'EMAIL_OAUTH_TOKEN_URL',
  'EMAIL_ALLOWED_SENDERS',
  'EMAIL_TRUSTED_AUTHSERV',
] as const;

type Values = Partial<Record<(typeof SETTING_NAMES)[number], string>>;

const host = (name: string) =>
  z
    .string({ error: `${name} is missing` })
    .regex(/^[A-Za-z0-9.-]+$/, `${name} must be a host name`);
const port = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a port number` })
    .int(`${name} must be a port number`)
    .min(1, `${name} must be a port number`)
    .max(65535, `${name} must be a port number`)
    .default(fallback);
const tls = (name: string) =>
  z
    .enum(['true', 'starttls', 'false'], { error: `${name} must be true, starttls or false` })
    .default('true');

const Schema = z.object({
  EMAIL_ADDRESS: z.email({ error: 'EMAIL_ADDRESS must be an email address (you@example.com)' }),
  IMAP_HOST: host('IMAP_HOST'),
  IMAP_PORT: port('IMAP_PORT', 993),
  IMAP_TLS: tls('IMAP_TLS'),
  IMAP_USER: z.string().optional(),
  SMTP_HOST: host('SMTP_HOST'),
  SMTP_PORT: port('SMTP_PORT', 465),
  SMTP_TLS: tls('SMTP_TLS'),
  SMTP_USER: z.string().optional(),
  EMAIL_OAUTH_TOKEN_URL: z
    .url({ protocol: /^https?$/, error: 'EMAIL_OAUTH_TOKEN_URL must be an http(s) URL' })
    .default(DEFAULT_TOKEN_URL),
  EMAIL_TRUSTED_AUTHSERV: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'EMAIL_TRUSTED_AUTHSERV must be a host name like mx.google.com')
    .optional(),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: EmailSettings }
  | { kind: 'invalid'; problem: string };

/** Password login, or OAuth2 when its three values are set; never both half-set. */
function authFrom(v: Values, tokenUrl: string): EmailAuth | string {
  const oauth = [v.EMAIL_OAUTH_CLIENT_ID, v.EMAIL_OAUTH_CLIENT_SECRET, v.EMAIL_OAUTH_REFRESH_TOKEN];
  if (oauth.some(Boolean)) {
    const [clientId, clientSecret, refreshToken] = oauth;
    if (!clientId || !clientSecret || !refreshToken) {
      return 'OAuth2 needs all of EMAIL_OAUTH_CLIENT_ID, EMAIL_OAUTH_CLIENT_SECRET and EMAIL_OAUTH_REFRESH_TOKEN';
    }
    return { kind: 'oauth2', clientId, clientSecret, refreshToken, tokenUrl };
  }
  if (!v.IMAP_PASSWORD) {
    return 'IMAP_PASSWORD is missing (or set EMAIL_OAUTH_CLIENT_ID, EMAIL_OAUTH_CLIENT_SECRET and EMAIL_OAUTH_REFRESH_TOKEN for OAuth2)';
  }
  // Most providers (Gmail's app passwords too) use one password for both.
  return {
    kind: 'password',
    imapPassword: v.IMAP_PASSWORD,
    smtpPassword: v.SMTP_PASSWORD || v.IMAP_PASSWORD,
  };
}

/** Pure: the settings from the merged values; `absent` without EMAIL_ADDRESS (the channel is off). */
export function parseSettings(values: Values): SettingsResult {
  if (!values.EMAIL_ADDRESS) return { kind: 'absent' };
  const blankless = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== ''));
  const parsed = Schema.safeParse(blankless);
  // Messages only: zod's issue objects would carry the rejected value.
  if (!parsed.success) {
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  const d = parsed.data;
  const auth = authFrom(values, d.EMAIL_OAUTH_TOKEN_URL);
  if (typeof auth === 'string') return { kind: 'invalid', problem: auth };
  const allowed = parseAllowlist(values.EMAIL_ALLOWED_SENDERS ?? '');
  if (typeof allowed === 'string') return { kind: 'invalid', problem: allowed };
  if (allowed.length === 0) {
    return {
      kind: 'invalid',
      problem:
        'EMAIL_ALLOWED_SENDERS is empty: list the addresses (or @domains) that may wake the agent',
    };
  }
  const address = d.EMAIL_ADDRESS.toLowerCase();
  const server = (h: string, p: number, t: TlsMode, user: string | undefined): ServerSettings => ({
    host: h,
    port: p,
    tls: t,
    user: user || address,
  });
  return {
    kind: 'ok',
    settings: {
      address,
      imap: server(d.IMAP_HOST, d.IMAP_PORT, d.IMAP_TLS, d.IMAP_USER),
      smtp: server(d.SMTP_HOST, d.SMTP_PORT, d.SMTP_TLS, d.SMTP_USER),
      auth,
      allowedSenders: allowed,
      trustedAuthserv: d.EMAIL_TRUSTED_AUTHSERV?.toLowerCase(),
    },
  };
}

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(env: NodeJS.ProcessEnv, envFile: string): SettingsResult {
  const file = readDotenv(envFile);
  const values: Values = {};
  for (const name of SETTING_NAMES) values[name] = env[name] || file[name];
  return parseSettings(values);
}

/** Pure: a login would cross a network without TLS (plain to a host other than this one). */
export function sendsPasswordInClear(server: ServerSettings): boolean {
  return server.tls === 'false' && !['127.0.0.1', 'localhost', '::1'].includes(server.host);
}

/** Every secret of the settings, for redacting error texts. */
export function secretsOf(settings: EmailSettings): string[] {
  const a = settings.auth;
  return a.kind === 'password'
    ? [a.imapPassword, a.smtpPassword]
    : [a.clientSecret, a.refreshToken];
}

/** Replaces each secret wherever it appears (error texts can quote a login). */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter(Boolean).reduce((t, s) => t.split(s).join('<secret>'), text);
}
