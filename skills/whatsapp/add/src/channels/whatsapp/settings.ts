/**
 * The WhatsApp (linked device) channel's settings, read where the skill system writes them: the
 * environment first, then `$NANOCLAW_HOME/.env`. There is no token: the account's keys are
 * the auth state in `$NANOCLAW_HOME/whatsapp/auth/` (created 0700, files 0600), made when the
 * phone links this device. Setting WHATSAPP_ACCOUNT turns the channel on.
 */
import path from 'node:path';
import { z } from 'zod';
import { readDotenv } from '../../config.js';

export type LinkMethod = 'qr' | 'code';

export interface WhatsAppSettings {
  /** The account's own number, digits with country code (e.g. 4915112345678). */
  account: string;
  /** Link by scanning a QR code, or by typing a pairing code on the phone. */
  linkMethod: LinkMethod;
  authDir: string;
}

const Schema = z.object({
  WHATSAPP_ACCOUNT: z
    .string()
    .transform((s) => s.replace(/[\s()+-]/g, ''))
    .pipe(
      z
        .string()
        .regex(
          /^[1-9]\d{6,14}$/,
          'WHATSAPP_ACCOUNT must be your WhatsApp number with country code, digits only (e.g. 4915112345678)',
        ),
    ),
  WHATSAPP_LINK_METHOD: z
    .enum(['qr', 'code'], { error: 'WHATSAPP_LINK_METHOD must be qr or code' })
    .default('qr'),
});

export type SettingsResult =
  | { kind: 'absent' }
  | { kind: 'ok'; settings: WhatsAppSettings }
  | { kind: 'invalid'; problem: string };

/** Where the auth state lives: in the data directory, never in a sandbox or the checkout. */
export function authDirOf(home: string): string {
  return path.join(home, 'whatsapp', 'auth');
}

/** Pure: the settings from the merged values; `absent` without an account (the channel is off). */
export function parseSettings(
  values: { WHATSAPP_ACCOUNT?: string | undefined; WHATSAPP_LINK_METHOD?: string | undefined },
  home: string,
): SettingsResult {
  if (!values.WHATSAPP_ACCOUNT) return { kind: 'absent' };
  const parsed = Schema.safeParse({
    WHATSAPP_ACCOUNT: values.WHATSAPP_ACCOUNT,
    WHATSAPP_LINK_METHOD: values.WHATSAPP_LINK_METHOD || undefined,
  });
  if (!parsed.success) {
    return { kind: 'invalid', problem: parsed.error.issues.map((i) => i.message).join('; ') };
  }
  return {
    kind: 'ok',
    settings: {
      account: parsed.data.WHATSAPP_ACCOUNT,
      linkMethod: parsed.data.WHATSAPP_LINK_METHOD,
      authDir: authDirOf(home),
    },
  };
}

/** The environment wins over the .env file, as for every other setting. */
export function readSettings(
  env: NodeJS.ProcessEnv,
  envFile: string,
  home: string,
): SettingsResult {
  const file = readDotenv(envFile);
  return parseSettings(
    {
      WHATSAPP_ACCOUNT: env.WHATSAPP_ACCOUNT || file.WHATSAPP_ACCOUNT,
      WHATSAPP_LINK_METHOD: env.WHATSAPP_LINK_METHOD || file.WHATSAPP_LINK_METHOD,
    },
    home,
  );
}
