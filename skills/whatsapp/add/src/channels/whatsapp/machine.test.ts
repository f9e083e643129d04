import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  STATUS,
  step,
  type ConnEvent,
  type ConnState,
  type MachineContext,
} from './machine.js';

const ctx = (linkMethod: 'qr' | 'code' = 'qr'): MachineContext => ({
  linkMethod,
  authDir: '/data/whatsapp/auth',
  backoff: { baseMs: 1000, maxMs: 8000 },
  random: () => 0.5,
});

const STATES: ConnState[] = [
  { kind: 'idle' },
  { kind: 'connecting', attempt: 0 },
  { kind: 'connecting', attempt: 3 },
  { kind: 'linking', attempt: 0, qr: 'q1' },
  { kind: 'linking', attempt: 1, code: 'C0DE' },
  { kind: 'open' },
  { kind: 'waiting', attempt: 2, retryInMs: 2000, reason: 'x' },
  { kind: 'failed', reason: 'r', fix: 'f' },
  { kind: 'stopped' },
];
const EVENTS: ConnEvent[] = [
  { type: 'start' },
  { type: 'qr', qr: 'q2' },
  { type: 'code', code: 'XYZW' },
  { type: 'open' },
  { type: 'close', status: STATUS.timedOut, message: 'lost' },
  { type: 'close', status: STATUS.restartRequired, message: 'restart' },
  { type: 'close', status: STATUS.loggedOut, message: 'logged out' },
  { type: 'close', message: 'network down' },
  { type: 'retry' },
  { type: 'stop' },
];

describe('WhatsApp connection state machine', () => {
  it('every state × event gives a state and effects that make sense together', () => {
    for (const state of STATES) {
      for (const event of EVENTS) {
        const { state: next, effects } = step(state, event, ctx());
        const label = `${state.kind} + ${event.type}`;
        // Stopped and failed are terminal (only stop leaves failed, into stopped).
        if (state.kind === 'stopped') expect([next, effects], label).toEqual([state, []]);
        if (event.type === 'stop' && state.kind !== 'stopped') {
          expect(next, label).toEqual({ kind: 'stopped' });
          expect(effects, label).toEqual([{ type: 'close-socket' }]);
        }
        if (state.kind === 'failed' && event.type !== 'stop')
          expect([next, effects], label).toEqual([state, []]);
        // A connect happens only on entering connecting; a retry is scheduled only when waiting.
        for (const e of effects) {
          if (e.type === 'connect') expect(next.kind, label).toBe('connecting');
          if (e.type === 'schedule-retry')
            expect(next, label).toMatchObject({ kind: 'waiting', retryInMs: e.ms });
          if (e.type === 'request-code') expect(next.kind, label).toBe('linking');
        }
      }
    }
  });

  it('start connects once; a second start changes nothing', () => {
    const first = step({ kind: 'idle' }, { type: 'start' }, ctx());
    expect(first).toEqual({
      state: { kind: 'connecting', attempt: 0 },
      effects: [{ type: 'connect' }],
    });
    expect(step(first.state, { type: 'start' }, ctx()).effects).toEqual([]);
  });

  it('QR linking: each new QR replaces the last; open ends linking', () => {
    let s = step({ kind: 'connecting', attempt: 0 }, { type: 'qr', qr: 'a' }, ctx()).state;
    expect(s).toEqual({ kind: 'linking', attempt: 0, qr: 'a' });
    s = step(s, { type: 'qr', qr: 'b' }, ctx()).state;
    expect(s).toEqual({ kind: 'linking', attempt: 0, qr: 'b' });
    expect(step(s, { type: 'open' }, ctx()).state).toEqual({ kind: 'open' });
  });

  it('pairing code: asked for once per connection, then shown', () => {
    const first = step({ kind: 'connecting', attempt: 0 }, { type: 'qr', qr: 'a' }, ctx('code'));
    expect(first.effects).toEqual([{ type: 'request-code' }]);
    const again = step(first.state, { type: 'qr', qr: 'b' }, ctx('code'));
    expect(again.effects).toEqual([]);
    expect(step(again.state, { type: 'code', code: 'ABCD1234' }, ctx('code')).state).toMatchObject({
      kind: 'linking',
      code: 'ABCD1234',
    });
  });

  it('515 after linking: connect again at once, without backoff', () => {
    const s: ConnState = { kind: 'linking', attempt: 2, qr: 'a' };
    expect(step(s, { type: 'close', status: STATUS.restartRequired, message: 'r' }, ctx())).toEqual(
      {
        state: { kind: 'connecting', attempt: 0 },
        effects: [{ type: 'connect' }],
      },
    );
  });

  it.each([
    [STATUS.loggedOut, /logged this device out/],
    [STATUS.forbidden, /banned or restricted/],
    [STATUS.connectionReplaced, /another session/],
    [STATUS.multideviceMismatch, /multi-device mismatch/],
  ])('close %i is final: failed with the reason and how to re-link', (status, reason) => {
    const { state, effects } = step(
      { kind: 'open' },
      { type: 'close', status, message: 'x' },
      ctx(),
    );
    expect(effects).toEqual([]);
    expect(state).toMatchObject({ kind: 'failed', reason: expect.stringMatching(reason) });
    if (status !== STATUS.connectionReplaced) {
      expect(state).toMatchObject({ fix: expect.stringContaining("rm -r '/data/whatsapp/auth'") });
    }
  });

  it.each([
    STATUS.timedOut,
    STATUS.connectionClosed,
    STATUS.badSession,
    STATUS.unavailable,
    undefined,
  ])('close %s: reconnect with exponential backoff, capped, reset after open', (status) => {
    const close: ConnEvent = { type: 'close', ...(status ? { status } : {}), message: 'gone' };
    let s: ConnState = { kind: 'open' };
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const out = step(s, close, ctx());
      expect(out.state.kind).toBe('waiting');
      delays.push(out.state.kind === 'waiting' ? out.state.retryInMs : -1);
      s = step(out.state, { type: 'retry' }, ctx()).state;
      expect(s.kind).toBe('connecting');
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    s = step(s, { type: 'open' }, ctx()).state;
    const after = step(s, close, ctx()).state;
    expect(after).toMatchObject({ kind: 'waiting', attempt: 1, retryInMs: 1000 });
    expect(after.kind === 'waiting' && after.reason).toBe(status ? `gone (${status})` : 'gone');
  });

  it('a late close of a socket already given up on is ignored while waiting', () => {
    const waiting: ConnState = { kind: 'waiting', attempt: 1, retryInMs: 1000, reason: 'x' };
    expect(step(waiting, { type: 'close', message: 'again' }, ctx())).toEqual({
      state: waiting,
      effects: [],
    });
  });

  it('backoff jitter stays within ±25 %', () => {
    const c = ctx();
    expect(backoffDelay(1, { ...c, random: () => 0 })).toBe(750);
    expect(backoffDelay(1, { ...c, random: () => 1 })).toBe(1250);
    expect(backoffDelay(10, { ...c, random: () => 1 })).toBe(10000);
  });
});
