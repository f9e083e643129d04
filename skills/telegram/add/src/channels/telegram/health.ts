/**
 * Pure: what a failed Bot API call means for the connection (retry when, and why, or give up
 * and say what to fix), exponential backoff with jitter, and a reporter that tells the host of
 * each change of state once.
 */
import { GrammyError, HttpError } from 'grammy';
import { errorMessage } from '../../errors.js';
import { redact } from './settings.js';

export type PollFailure =
  | { kind: 'failed'; reason: string; fix: string }
  | {
      kind: 'retry';
      reason: string;
      retryAfterMs?: number;
      conflict?: boolean;
      /** A webhook is set for the bot: getUpdates works only once it is deleted. */
      webhookSet?: boolean;
    };

const NEW_TOKEN =
  'Get the token from @BotFather (/mybots → your bot → API Token, or /newbot) and run ' +
  'nanoclaw skills add telegram --set TELEGRAM_BOT_TOKEN=<token>, then restart NanoClaw.';

/** Classifies an error of getMe/getUpdates; texts never contain the token. */
export function classifyPollError(error: unknown, apiRoot: string, token: string): PollFailure {
  if (error instanceof GrammyError) {
    const said = redact(error.description, token);
    if (error.error_code === 401) {
      return {
        kind: 'failed',
        reason: 'Telegram refused the bot token (401 Unauthorized)',
        fix: NEW_TOKEN,
      };
    }
    if (error.error_code === 404) {
      return {
        kind: 'failed',
        reason: `The Bot API at ${apiRoot} answered 404 Not Found (a malformed token or a wrong API root)`,
        fix: `Check TELEGRAM_API_ROOT (default https://api.telegram.org). ${NEW_TOKEN}`,
      };
    }
    if (error.error_code === 409 && /webhook/i.test(error.description)) {
      return {
        kind: 'retry',
        webhookSet: true,
        reason: 'a webhook is set for this bot (409), so polling is refused: removing it',
      };
    }
    if (error.error_code === 409) {
      return {
        kind: 'retry',
        conflict: true,
        reason:
          'another instance is polling Telegram with this bot token (409 Conflict): stop the ' +
          'other NanoClaw or bot that uses it, or give this one its own bot',
      };
    }
    if (error.error_code === 429) {
      const after = error.parameters.retry_after;
      return {
        kind: 'retry',
        reason: `Telegram asks to slow down (429: ${said})`,
        ...(after !== undefined ? { retryAfterMs: after * 1000 } : {}),
      };
    }
    return { kind: 'retry', reason: `the Bot API answered ${error.error_code}: ${said}` };
  }
  if (error instanceof HttpError) {
    // `error.error` holds the underlying fetch error, whose message quotes the URL (the token).
    const code = (error.error as { code?: unknown } | undefined)?.code;
    const why = typeof code === 'string' ? code : 'network error';
    return { kind: 'retry', reason: `cannot reach the Bot API at ${apiRoot} (${why})` };
  }
  return { kind: 'retry', reason: redact(errorMessage(error), token) };
}

export { type Backoff, backoffDelay, HealthReporter } from '../retry.js';
