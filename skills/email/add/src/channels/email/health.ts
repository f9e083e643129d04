/**
 * Pure: what an IMAP/SMTP failure means for the connection (retry, and why, or give up and say
 * what to fix), exponential backoff with jitter, and a reporter that tells the host of each change
 * of state once.
 */
import { errorMessage } from '../../errors.js';
import type { ChannelHealth } from '../channel.js';
import { HealthReporter as CoreReporter } from '../retry.js';
import { OAuthError } from './oauth.js';
import { redact } from './settings.js';

export type Failure =
  { kind: 'failed'; reason: string; fix: string } | { kind: 'retry'; reason: string };

const PASSWORD_FIX =
  'Check the address and password (Gmail: an app password, see skills/email/SKILL.md), then run ' +
  'nanoclaw skills add email --set IMAP_PASSWORD=<password> --set SMTP_PASSWORD=<password> and restart NanoClaw.';
const OAUTH_FIX =
  'Make a new refresh token (skills/email/SKILL.md, "Gmail with OAuth2"), run nanoclaw skills add email ' +
  '--set EMAIL_OAUTH_REFRESH_TOKEN=<token> and restart NanoClaw.';

/** Classifies an error of the IMAP login or session; texts never contain a secret. */
export function classifyImapError(
  error: unknown,
  where: string,
  secrets: readonly string[],
  oauth: boolean,
): Failure {
  if (error instanceof OAuthError) {
    return error.permanent
      ? { kind: 'failed', reason: error.message, fix: OAUTH_FIX }
      : { kind: 'retry', reason: error.message };
  }
  const e = error as { authenticationFailed?: unknown; code?: unknown; responseText?: unknown };
  if (e.authenticationFailed === true) {
    const said = typeof e.responseText === 'string' ? `: ${redact(e.responseText, secrets)}` : '';
    return {
      kind: 'failed',
      reason: `the IMAP server ${where} refused the login${said}`,
      fix: oauth ? OAUTH_FIX : PASSWORD_FIX,
    };
  }
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code && /^E[A-Z]+$/.test(code))
    return { kind: 'retry', reason: `cannot reach the IMAP server ${where} (${code})` };
  return { kind: 'retry', reason: `IMAP ${where}: ${redact(errorMessage(error), secrets)}` };
}

export { type Backoff, backoffDelay, sleep } from '../retry.js';

/** Reports a change of state or of reason (the operator should see why it is reconnecting). */
export class HealthReporter extends CoreReporter {
  constructor(changed: (health: ChannelHealth) => void) {
    super(changed, { reasons: true });
  }
}
