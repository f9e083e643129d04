/**
 * Pure: what a failed login or a gateway close means for the connection (retry, and why, or
 * give up and say what to fix), exponential backoff with jitter, and a reporter that tells the
 * host of each change of state once.
 */
import { errorMessage } from '../../errors.js';
import type { ChannelHealth } from '../channel.js';
import { HealthReporter as CoreReporter } from '../retry.js';
import { redact } from './settings.js';

export type Failure =
  { kind: 'failed'; reason: string; fix: string } | { kind: 'retry'; reason: string };

const NEW_TOKEN =
  'In the Discord Developer Portal open your application → Bot → Reset Token, then run ' +
  'nanoclaw skills add discord --set DISCORD_BOT_TOKEN=<token> and restart NanoClaw.';

const INTENT_FIX =
  'In the Discord Developer Portal open your application → Bot → Privileged Gateway Intents, ' +
  'turn on MESSAGE CONTENT INTENT, save, then restart NanoClaw.';

/** Gateway close codes after which reconnecting cannot help. */
export function classifyClose(code: number): Failure {
  switch (code) {
    case 4004:
      return {
        kind: 'failed',
        reason: 'Discord refused the bot token (gateway close 4004)',
        fix: NEW_TOKEN,
      };
    case 4014:
      return {
        kind: 'failed',
        reason:
          'Discord refused a privileged intent the bot asks for (close 4014, disallowed intents)',
        fix: INTENT_FIX,
      };
    case 4013:
      return {
        kind: 'failed',
        reason: 'Discord refused the intents (close 4013, invalid intents)',
        fix: 'This is a bug in the discord skill: report it, with the NanoClaw log.',
      };
    case 4010:
    case 4011:
    case 4012:
      return {
        kind: 'failed',
        reason: `Discord refused the gateway connection (close ${code})`,
        fix: 'This bot is in too many servers for one connection, or the API version is out of date: update the discord skill.',
      };
    default:
      return { kind: 'retry', reason: `the gateway closed the connection (${code})` };
  }
}

const has = (e: unknown, key: string) => typeof e === 'object' && e !== null && key in e;

/** Classifies an error of login (GET /gateway/bot, then IDENTIFY); texts never hold the token. */
export function classifyLoginError(error: unknown, apiUrl: string, token: string): Failure {
  const message = redact(errorMessage(error), token);
  const status = has(error, 'status') ? (error as { status: unknown }).status : undefined;
  const code = has(error, 'code') ? (error as { code: unknown }).code : undefined;
  if (status === 401 || code === 'TokenInvalid' || /authentication failed/i.test(message)) {
    return {
      kind: 'failed',
      reason: 'Discord refused the bot token (401 Unauthorized)',
      fix: NEW_TOKEN,
    };
  }
  if (/disallowed intents/i.test(message)) return classifyClose(4014);
  if (/invalid intents/i.test(message)) return classifyClose(4013);
  if (status === 404) {
    return {
      kind: 'failed',
      reason: `The Discord API at ${apiUrl} answered 404 Not Found`,
      fix: 'Check DISCORD_API_URL (default https://discord.com/api, without /v10).',
    };
  }
  if (typeof status === 'number')
    return { kind: 'retry', reason: `the Discord API answered ${status}` };
  // undici says "fetch failed"; the reason (ECONNREFUSED…) is in its cause.
  const own = typeof code === 'string' && /^E[A-Z_]+$/.test(code) ? code : undefined;
  const cause = own ?? (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  if (typeof cause === 'string')
    return { kind: 'retry', reason: `cannot reach the Discord API at ${apiUrl} (${cause})` };
  return { kind: 'retry', reason: message };
}

export { type Backoff, backoffDelay } from '../retry.js';

/** Reports a change of state or of reason (the operator should see why it is reconnecting). */
export class HealthReporter extends CoreReporter {
  constructor(changed: (health: ChannelHealth) => void) {
    super(changed, { reasons: true });
  }
}
