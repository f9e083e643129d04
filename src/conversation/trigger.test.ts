import { describe, expect, it } from 'vitest';
import { shouldAnswer, startsWithTrigger, triggerPattern } from './trigger.js';

const msg = (content: string) => ({ content });
const plain = { isMain: false, requiresTrigger: true, trigger: undefined };

describe('trigger truth table', () => {
  const cases: [string, string, boolean][] = [
    ['@Andy hello', '@Andy', true],
    ['@andy hello', '@Andy', true],
    ['@ANDY', '@Andy', true],
    ['  @Andy, can you', '@Andy', true],
    ['@Andy: status?', '@Andy', true],
    ['@Andy\nnext line', '@Andy', true],
    ['@Andyx hello', '@Andy', false],
    ['@Andy_bot hi', '@Andy', false],
    ['@Andyé hi', '@Andy', false],
    ['hello @Andy', '@Andy', false],
    ['Andy hello', '@Andy', false],
    ['', '@Andy', false],
    ['@Bob do it', '@Bob', true],
    ['@Andy do it', '@Bob', false],
    ['!ai go', '!ai', true],
    ['!a.i go', '!a.i', true],
    ['!abi go', '!a.i', false],
  ];
  it.each(cases)('%j with trigger %j → %s', (text, trigger, expected) => {
    expect(startsWithTrigger(text, trigger)).toBe(expected);
  });

  it('escapes regex characters in the trigger', () => {
    expect(triggerPattern('@A+').test('@AAA')).toBe(false);
    expect(triggerPattern('@A+').test('@A+ hi')).toBe(true);
  });
});

describe('shouldAnswer', () => {
  it('main answers every message', () => {
    expect(shouldAnswer({ ...plain, isMain: true }, 'Andy', [msg('hi')])).toBe(true);
  });
  it('groups without requiresTrigger answer every message', () => {
    expect(shouldAnswer({ ...plain, requiresTrigger: false }, 'Andy', [msg('hi')])).toBe(true);
  });
  it('other groups answer only when some new message starts with the trigger', () => {
    expect(shouldAnswer(plain, 'Andy', [msg('hi'), msg('how are you')])).toBe(false);
    expect(shouldAnswer(plain, 'Andy', [msg('hi'), msg('@andy how are you')])).toBe(true);
  });
  it('uses the per-group override instead of the assistant name', () => {
    const rules = { ...plain, trigger: '@Bot' };
    expect(shouldAnswer(rules, 'Andy', [msg('@Andy hi')])).toBe(false);
    expect(shouldAnswer(rules, 'Andy', [msg('@bot hi')])).toBe(true);
  });
  it('nothing new → no answer, even for main', () => {
    expect(shouldAnswer({ ...plain, isMain: true }, 'Andy', [])).toBe(false);
  });

  it('a message the platform addressed to the bot (mention, reply) wakes a trigger group', () => {
    const rules = { isMain: false, requiresTrigger: true, trigger: undefined };
    expect(shouldAnswer(rules, 'Andy', [{ content: 'what now?' }])).toBe(false);
    expect(shouldAnswer(rules, 'Andy', [{ content: 'what now?', addressed: true }])).toBe(true);
    // Context-only senders (and bots) stay context even when addressed.
    expect(
      shouldAnswer(rules, 'Andy', [{ content: '@Andy hi', addressed: true, mayTrigger: false }]),
    ).toBe(false);
  });
});
