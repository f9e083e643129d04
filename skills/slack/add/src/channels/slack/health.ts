/**
 * Pure: what a failed Slack call means for the connection (retry when, and why, or give up and
 * say what to fix), exponential backoff with jitter, and a reporter that tells the host of each
 * change of state once. Errors are read by their `code` (the web-api's error classes may come
 * from more than one copy of the package, so `instanceof` is not reliable).
 */
import { errorMessage } from '../../errors.js';

export type ConnectFailure =
  | { kind: 'failed'; reason: string; fix: string }
  | { kind: 'retry'; reason: string; retryAfterMs?: number };

/** Which token a call used: auth.test the bot token, apps.connections.open the app token. */
export type TokenKind = 'bot' | 'app';

/** Slack's answers that no retry can change: the token (or the workspace) is not usable. */
const FATAL = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'missing_scope',
  'user_removed_from_team',
  'team_disabled',
]);

const FIX: Record<TokenKind, string> = {
  bot:
    'Copy the Bot User OAuth Token (xoxb-…) from api.slack.com/apps → your app → OAuth & ' +
    'Permissions (reinstall the app to the workspace if it is missing), run nanoclaw skills add ' +
    'slack --set SLACK_BOT_TOKEN=<token>, then restart NanoClaw.',
  app:
    'Create an app-level token with the connections:write scope at api.slack.com/apps → your ' +
    'app → Basic Information → App-Level Tokens, make sure Socket Mode is enabled, run nanoclaw ' +
    'skills add slack --set SLACK_APP_TOKEN=<xapp-token>, then restart NanoClaw.',
};

interface SlackErrorShape {
  code?: unknown;
  data?: { error?: unknown };
  original?: { code?: unknown; cause?: { code?: unknown } };
  statusCode?: unknown;
  retryAfter?: unknown;
}

/** Classifies an error of auth.test, apps.connections.open or the socket; never quotes tokens. */
export function classifyConnectError(
  error: unknown,
  token: TokenKind,
  apiUrl: string,
  redact: (s: string) => string,
): ConnectFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as SlackErrorShape;
  const name = token === 'bot' ? 'SLACK_BOT_TOKEN' : 'SLACK_APP_TOKEN';
  if (e.code === 'slack_webapi_platform_error') {
    const said = String(e.data?.error ?? 'unknown_error');
    if (FATAL.has(said)) {
      return { kind: 'failed', reason: `Slack refused ${name} (${said})`, fix: FIX[token] };
    }
    return { kind: 'retry', reason: `the Slack API answered ${redact(said)}` };
  }
  if (e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number') {
    return {
      kind: 'retry',
      reason: `Slack asks to slow down (429, retry after ${e.retryAfter} s)`,
      retryAfterMs: e.retryAfter * 1000,
    };
  }
  if (e.code === 'slack_webapi_request_error') {
    const code = e.original?.code ?? e.original?.cause?.code;
    const why = typeof code === 'string' ? code : 'network error';
    return { kind: 'retry', reason: `cannot reach the Slack API at ${apiUrl} (${why})` };
  }
  if (e.code === 'slack_webapi_http_error') {
    return {
      kind: 'retry',
      reason: `the Slack API at ${apiUrl} answered HTTP ${String(e.statusCode)}`,
    };
  }
  return { kind: 'retry', reason: redact(errorMessage(error)) };
}

export { type Backoff, backoffDelay, HealthReporter, sleep } from '../retry.js';
