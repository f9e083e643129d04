/**
 * Pure: what a failed Graph API check means for the channel (retry, or give up and say what to
 * fix), exponential backoff with jitter, and a reporter that tells the host of each change of
 * state once.
 */
import { GraphError } from './graph.js';

const NEW_TOKEN =
  'Create a token (Meta app → WhatsApp → API Setup, or a system user token in Business ' +
  'Settings) and run nanoclaw skills add whatsapp-cloud --set WHATSAPP_TOKEN=<token>, then restart NanoClaw.';

export type CheckFailure =
  { kind: 'failed'; reason: string; fix: string } | { kind: 'retry'; reason: string };

export function classifyCheckError(error: unknown): CheckFailure {
  if (error instanceof GraphError && error.unauthorized) {
    return {
      kind: 'failed',
      reason: 'Meta refused the access token (expired or revoked)',
      fix: NEW_TOKEN,
    };
  }
  if (
    error instanceof GraphError &&
    (error.status === 400 || error.status === 404) &&
    !error.rateLimited
  ) {
    return {
      kind: 'failed',
      reason: `the phone number ID is not usable with this token (${error.message})`,
      fix:
        'Check WHATSAPP_PHONE_NUMBER_ID (Meta app → WhatsApp → API Setup → Phone number ID) and ' +
        'that the token has whatsapp_business_messaging permission; then restart NanoClaw.',
    };
  }
  return { kind: 'retry', reason: error instanceof Error ? error.message : String(error) };
}

export { type Backoff, backoffDelay, HealthReporter } from '../retry.js';
