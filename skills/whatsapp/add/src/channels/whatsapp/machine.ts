/**
 * The linked device's connection as a pure state machine: events from Baileys (a QR code, open,
 * close with WhatsApp's status code) and from our timers go in; the next state and what to do
 * (connect, wait, ask for a pairing code) come out. Decisions only, no I/O: the channel runs
 * the effects. Close codes (Baileys' DisconnectReason):
 * - 515 restart required (after linking): connect again at once;
 * - 401 logged out, 403 forbidden (banned or blocked), 440 replaced by another session, 411
 *   multi-device mismatch: failed, with how to re-link; never retried (retrying a replaced
 *   session would fight the other one; a logged-out one cannot come back);
 * - anything else (408 lost/timed out, 428 closed, 500 bad session, 503, network errors):
 *   reconnect with exponential backoff and jitter, reset once the connection opened.
 */
import type { LinkMethod } from './settings.js';

export type ConnState =
  | { kind: 'idle' }
  | { kind: 'connecting'; attempt: number }
  | { kind: 'linking'; attempt: number; qr?: string; code?: string }
  | { kind: 'open' }
  | { kind: 'waiting'; attempt: number; retryInMs: number; reason: string }
  | { kind: 'failed'; reason: string; fix: string }
  | { kind: 'stopped' };

export type ConnEvent =
  | { type: 'start' }
  | { type: 'qr'; qr: string }
  | { type: 'code'; code: string }
  | { type: 'open' }
  | { type: 'close'; status?: number; message: string }
  | { type: 'retry' }
  | { type: 'stop' };

export type Effect =
  | { type: 'connect' }
  | { type: 'schedule-retry'; ms: number }
  | { type: 'request-code' }
  | { type: 'close-socket' };

export interface MachineContext {
  linkMethod: LinkMethod;
  authDir: string;
  backoff: { baseMs: number; maxMs: number };
  random: () => number;
}

export const STATUS = {
  loggedOut: 401,
  forbidden: 403,
  timedOut: 408,
  multideviceMismatch: 411,
  connectionClosed: 428,
  connectionReplaced: 440,
  badSession: 500,
  unavailable: 503,
  restartRequired: 515,
} as const;

/** Attempt 1 waits about `baseMs`, doubling up to `maxMs`; jitter spreads it over ±25 %. */
export function backoffDelay(attempt: number, ctx: MachineContext): number {
  const exp = Math.min(ctx.backoff.maxMs, ctx.backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp * (0.75 + ctx.random() * 0.5));
}

function relink(ctx: MachineContext): string {
  return (
    `Re-link: stop NanoClaw, delete the old link with rm -r '${ctx.authDir}', start NanoClaw ` +
    'again and link the phone anew (WhatsApp → Settings → Linked devices → Link a device).'
  );
}

/** Why a close is final, or undefined when it is worth reconnecting. */
export function finalClose(
  status: number | undefined,
  ctx: MachineContext,
): { reason: string; fix: string } | undefined {
  switch (status) {
    case STATUS.loggedOut:
      return { reason: 'WhatsApp logged this device out (401)', fix: relink(ctx) };
    case STATUS.forbidden:
      return {
        reason: 'WhatsApp refused this account (403: banned or restricted)',
        fix: `Check the account in the WhatsApp app (it may be banned for automation). ${relink(ctx)}`,
      };
    case STATUS.connectionReplaced:
      return {
        reason: 'another session took over this linked device (440)',
        fix: 'Stop the other NanoClaw (or program) using the same auth directory, then restart NanoClaw.',
      };
    case STATUS.multideviceMismatch:
      return { reason: 'WhatsApp reports a multi-device mismatch (411)', fix: relink(ctx) };
    default:
      return undefined;
  }
}

const attemptOf = (s: ConnState): number =>
  s.kind === 'connecting' || s.kind === 'linking' || s.kind === 'waiting' ? s.attempt : 0;

type Step = { state: ConnState; effects: Effect[] };
const stay = (state: ConnState): Step => ({ state, effects: [] });

function onClose(
  state: ConnState,
  event: Extract<ConnEvent, { type: 'close' }>,
  ctx: MachineContext,
): Step {
  const final = finalClose(event.status, ctx);
  if (final) return { state: { kind: 'failed', ...final }, effects: [] };
  if (event.status === STATUS.restartRequired) {
    return { state: { kind: 'connecting', attempt: 0 }, effects: [{ type: 'connect' }] };
  }
  const attempt = attemptOf(state) + 1;
  const retryInMs = backoffDelay(attempt, ctx);
  const reason = event.status ? `${event.message} (${event.status})` : event.message;
  return {
    state: { kind: 'waiting', attempt, retryInMs, reason },
    effects: [{ type: 'schedule-retry', ms: retryInMs }],
  };
}

export function step(state: ConnState, event: ConnEvent, ctx: MachineContext): Step {
  if (state.kind === 'stopped') return stay(state);
  if (event.type === 'stop')
    return { state: { kind: 'stopped' }, effects: [{ type: 'close-socket' }] };
  if (state.kind === 'failed') return stay(state);
  switch (event.type) {
    case 'start':
      return state.kind === 'idle'
        ? { state: { kind: 'connecting', attempt: 0 }, effects: [{ type: 'connect' }] }
        : stay(state);
    case 'retry':
      return state.kind === 'waiting'
        ? { state: { kind: 'connecting', attempt: state.attempt }, effects: [{ type: 'connect' }] }
        : stay(state);
    case 'qr': {
      if (state.kind !== 'connecting' && state.kind !== 'linking') return stay(state);
      const attempt = attemptOf(state);
      if (ctx.linkMethod === 'qr') return stay({ kind: 'linking', attempt, qr: event.qr });
      // A pairing code is asked for once per connection; later QR refreshes change nothing.
      const asked = state.kind === 'linking';
      return {
        state: state.kind === 'linking' ? state : { kind: 'linking', attempt },
        effects: asked ? [] : [{ type: 'request-code' }],
      };
    }
    case 'code':
      return state.kind === 'linking' ? stay({ ...state, code: event.code }) : stay(state);
    case 'open':
      return state.kind === 'connecting' || state.kind === 'linking'
        ? stay({ kind: 'open' })
        : stay(state);
    case 'close':
      return state.kind === 'idle' || state.kind === 'waiting'
        ? stay(state)
        : onClose(state, event, ctx);
  }
}
