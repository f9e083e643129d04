/**
 * The slot policy, exhaustively over small states (every mix of held slots for up to three
 * groups, every cap pair up to 4) plus a simulated busy host showing nobody starves.
 */
import { describe, expect, it } from 'vitest';
import {
  SANDBOX_KINDS,
  chooseNext,
  mayDelegate,
  mayStart,
  planYields,
  servedKey,
  type Holder,
  type LimiterPolicy,
  type SandboxKind,
  type Slot,
} from './limiter-policy.js';

const KINDS = Object.keys(SANDBOX_KINDS) as SandboxKind[];
const GROUPS = ['a', 'b', 'c'];
const SHAPES = GROUPS.flatMap((group) => KINDS.map((kind) => ({ group, kind })));
const POLICIES: LimiterPolicy[] = [1, 2, 3, 4].flatMap((maxTotal) =>
  [1, 2, 3, 4].map((maxPerGroup) => ({ maxTotal, maxPerGroup })),
);
const bg = (s: Slot) => SANDBOX_KINDS[s.kind] === 'background';

let ids = 0;
const slot = (group: string, kind: SandboxKind): Slot => ({ id: ++ids, group, kind });
const holder = (group: string, kind: SandboxKind, idle = false): Holder => ({
  ...slot(group, kind),
  idle,
  yielding: false,
});

/** Every multiset of up to `max` held slots over the shapes. */
function* heldSets(max: number, from = 0, acc: Slot[] = []): Generator<Slot[]> {
  yield acc;
  if (acc.length === max) return;
  for (let i = from; i < SHAPES.length; i += 1) {
    const shape = SHAPES[i] as { group: string; kind: SandboxKind };
    yield* heldSets(max, i, [...acc, slot(shape.group, shape.kind)]);
  }
}

describe('mayStart (exhaustive over small states)', () => {
  it('never exceeds a cap, keeps the last slot for chat, and otherwise allows', () => {
    let checked = 0;
    for (const policy of POLICIES) {
      for (const held of heldSets(policy.maxTotal)) {
        for (const shape of SHAPES) {
          const request = slot(shape.group, shape.kind);
          const inGroup = held.filter((h) => h.group === shape.group);
          const total = held.length;
          const groupCap = Math.min(policy.maxPerGroup, policy.maxTotal);
          const share = (cap: number) => (cap > 1 ? cap - 1 : 1);
          const expected =
            total < policy.maxTotal &&
            inGroup.length < policy.maxPerGroup &&
            (!bg(request) ||
              (held.filter(bg).length < share(policy.maxTotal) &&
                inGroup.filter(bg).length < share(groupCap)));
          expect(mayStart(policy, held, request)).toBe(expected);
          if (expected) {
            expect(total + 1).toBeLessThanOrEqual(policy.maxTotal);
            expect(inGroup.length + 1).toBeLessThanOrEqual(policy.maxPerGroup);
          }
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it('a cap of 1 still lets background work run when nothing else does', () => {
    expect(mayStart({ maxTotal: 1, maxPerGroup: 1 }, [], slot('a', 'task'))).toBe(true);
    expect(mayStart({ maxTotal: 2, maxPerGroup: 1 }, [], slot('a', 'precheck'))).toBe(true);
  });

  it('with a cap of 2, background work holds one slot and a chat gets the other', () => {
    const policy = { maxTotal: 2, maxPerGroup: 2 };
    const task = [slot('a', 'task')];
    expect(mayStart(policy, task, slot('b', 'precheck'))).toBe(false);
    expect(mayStart(policy, task, slot('b', 'chat'))).toBe(true);
    expect(mayStart(policy, task, slot('a', 'chat'))).toBe(true);
  });
});

describe('chooseNext', () => {
  const policy = { maxTotal: 3, maxPerGroup: 2 };

  it('picks only a request that may start, and a chat whenever one may', () => {
    for (const p of POLICIES) {
      for (const held of heldSets(Math.min(p.maxTotal, 3))) {
        const waiting = SHAPES.map((s) => slot(s.group, s.kind));
        const next = chooseNext(p, held, waiting);
        const startable = waiting.filter((w) => mayStart(p, held, w));
        if (startable.length === 0) {
          expect(next).toBeUndefined();
          continue;
        }
        expect(next && mayStart(p, held, next)).toBe(true);
        if (startable.some((w) => !bg(w))) expect(next && bg(next)).toBe(false);
      }
    }
  });

  it('chat before background, even when the background request is older', () => {
    const waiting = [slot('a', 'task'), slot('b', 'precheck'), slot('c', 'chat')];
    expect(chooseNext(policy, [], waiting)?.group).toBe('c');
  });

  it('among equals, the group holding fewer slots, then the oldest request', () => {
    const held = [slot('a', 'task')];
    const waiting = [slot('a', 'task'), slot('b', 'task'), slot('c', 'task')];
    expect(chooseNext(policy, held, waiting)?.group).toBe('b');
    expect(chooseNext(policy, [], waiting)?.group).toBe('a');
  });

  it('between groups holding as many slots, the one served longest ago (round robin)', () => {
    const waiting = [slot('a', 'task'), slot('b', 'task'), slot('c', 'task')];
    const served = new Map([
      [servedKey({ group: 'a', kind: 'task' }), 9],
      [servedKey({ group: 'b', kind: 'precheck' }), 3],
      [servedKey({ group: 'c', kind: 'chat' }), 20], // a chat does not cost c its task turn
    ]);
    expect(chooseNext(policy, [], waiting, served)?.group).toBe('c');
    expect(chooseNext(policy, [], waiting.slice(0, 2), served)?.group).toBe('b');
  });

  it("a group's own chat does not cost its background work its turn", () => {
    const held = [slot('a', 'chat'), slot('b', 'task')];
    const waiting = [slot('b', 'task'), slot('a', 'task')];
    expect(chooseNext({ maxTotal: 4, maxPerGroup: 3 }, held, waiting)?.group).toBe('a');
  });

  it('skips a request blocked by its group cap instead of blocking the line', () => {
    const held = [slot('a', 'chat'), slot('a', 'task')];
    const waiting = [slot('a', 'chat'), slot('b', 'task')];
    expect(chooseNext(policy, held, waiting)?.group).toBe('b');
  });

  it('nothing when the host is full', () => {
    const held = [slot('a', 'chat'), slot('b', 'chat'), slot('c', 'chat')];
    expect(chooseNext(policy, held, [slot('d', 'chat')])).toBeUndefined();
  });
});

describe('planYields', () => {
  const policy = { maxTotal: 2, maxPerGroup: 2 };

  it('asks an idle chat run to make room for a waiting task or another group', () => {
    const idle = holder('a', 'chat', true);
    expect(planYields(policy, [idle, holder('b', 'chat')], [slot('c', 'chat')])).toEqual([idle.id]);
    expect(planYields(policy, [idle, holder('b', 'chat')], [slot('c', 'task')])).toEqual([idle.id]);
  });

  it('asks nobody when a slot is free, when no idle run would help, or when one already yields', () => {
    const idle = holder('a', 'chat', true);
    expect(planYields(policy, [idle], [slot('b', 'task')])).toEqual([]);
    // b's task is blocked by the background share, not by a's idle chat.
    const busyTask = holder('b', 'task');
    expect(planYields(policy, [busyTask, idle], [slot('c', 'task')])).toEqual([]);
    const yielding = { ...holder('c', 'chat', true), yielding: true };
    expect(planYields(policy, [yielding, idle], [slot('d', 'chat')])).toEqual([]);
  });

  it('asks as many idle runs as there are waiters that need them, oldest first', () => {
    const wide = { maxTotal: 3, maxPerGroup: 3 };
    const [x, y, z] = [
      holder('a', 'chat', true),
      holder('b', 'chat', true),
      holder('c', 'chat', true),
    ];
    expect(planYields(wide, [x, y, z], [slot('d', 'chat'), slot('e', 'chat')])).toEqual([
      x.id,
      y.id,
    ]);
  });

  it('never asks a busy run', () => {
    for (const p of POLICIES) {
      for (const held of heldSets(p.maxTotal)) {
        const holders = held.map((h) => ({ ...h, idle: false, yielding: false }));
        expect(planYields(p, holders, [slot('d', 'chat'), slot('d', 'task')])).toEqual([]);
      }
    }
  });
});

describe('a simulated busy host', () => {
  it('never passes a cap, starts every chat before waiting background work, starves nobody', () => {
    const policy = { maxTotal: 3, maxPerGroup: 2 };
    // A hog with 30 queued tasks asked first; four groups with 3 each; chats arrive meanwhile.
    const waiting: Slot[] = [
      ...Array.from({ length: 30 }, () => slot('hog', 'task')),
      ...['b', 'c', 'd', 'e'].flatMap((g) => [1, 2, 3].map(() => slot(g, 'precheck'))),
    ];
    const running: { slot: Slot; endsAt: number }[] = [];
    const firstStart = new Map<string, number>();
    const served = new Map<string, number>();
    let grants = 0;
    let starts = 0; // background starts
    for (let now = 0; now < 1000 && (waiting.length > 0 || running.length > 0); now += 1) {
      if (now % 7 === 3) waiting.push(slot(`chat-${now % 4}`, 'chat'));
      for (let i = running.length - 1; i >= 0; i -= 1) {
        if ((running[i] as { endsAt: number }).endsAt <= now) running.splice(i, 1);
      }
      for (;;) {
        const held = running.map((r) => r.slot);
        const next = chooseNext(policy, held, waiting, served);
        if (!next) break;
        served.set(servedKey(next), ++grants);
        if (waiting.some((w) => !bg(w) && mayStart(policy, held, w))) expect(bg(next)).toBe(false);
        waiting.splice(waiting.indexOf(next), 1);
        running.push({ slot: next, endsAt: now + (bg(next) ? 5 : 2) });
        if (bg(next) && !firstStart.has(next.group)) firstStart.set(next.group, starts);
        if (bg(next)) starts += 1;
        expect(running.length).toBeLessThanOrEqual(policy.maxTotal);
        const groups = running.filter((r) => r.slot.group === next.group).length;
        expect(groups).toBeLessThanOrEqual(policy.maxPerGroup);
      }
    }
    expect(waiting).toEqual([]);
    // The hog's 30 tasks came first, yet the first five background runs served five groups.
    for (const g of ['hog', 'b', 'c', 'd', 'e']) expect(firstStart.get(g)).toBeLessThan(5);
  });
});

/** Every multiset of delegating leads over groups a and b that `mayDelegate` admits one by one. */
function* admitted(policy: LimiterPolicy, acc: string[] = []): Generator<string[]> {
  yield acc;
  for (const group of ['a', 'b']) {
    // One order per multiset: groups in non-decreasing order.
    if (acc.length > 0 && group < (acc.at(-1) as string)) continue;
    if (mayDelegate(policy, acc, group)) yield* admitted(policy, [...acc, group]);
  }
}

describe('workers and delegation (exhaustive over small states)', () => {
  const WITH_WORKER_CAPS: LimiterPolicy[] = POLICIES.flatMap((p) =>
    [undefined, 1, 2, 3].map((w) => (w === undefined ? p : { ...p, maxWorkersPerGroup: w })),
  );

  it('no deadlock: once everything else has ended, a waiting worker of a lead can start', () => {
    let checked = 0;
    for (const policy of WITH_WORKER_CAPS) {
      for (const leads of admitted(policy)) {
        if (leads.length === 0) continue;
        for (const leadKind of ['chat', 'task'] as const) {
          // Only the delegating leads still hold slots: they wait for their workers.
          const held = leads.map((g) => slot(g, leadKind));
          const waiting = [...new Set(leads)].flatMap((g) => [
            slot(g, 'chat'),
            slot(g, 'task'),
            slot(g, 'worker'),
          ]);
          const next = chooseNext(policy, held, waiting);
          expect(next?.kind).toBe('worker');
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
  });

  it('a worker goes before a waiting chat or task whenever it may start', () => {
    for (const policy of WITH_WORKER_CAPS) {
      for (const held of heldSets(Math.min(policy.maxTotal, 3))) {
        const waiting = SHAPES.map((s) => slot(s.group, s.kind));
        const next = chooseNext(policy, held, waiting);
        const workerMay = waiting.some((w) => w.kind === 'worker' && mayStart(policy, held, w));
        if (workerMay) expect(next?.kind).toBe('worker');
      }
    }
  });

  it("never more workers of a group than its worker cap, and a worker is not background's", () => {
    const policy = { maxTotal: 4, maxPerGroup: 4, maxWorkersPerGroup: 2 };
    const two = [slot('a', 'worker'), slot('a', 'worker')];
    expect(mayStart(policy, two, slot('a', 'worker'))).toBe(false);
    expect(mayStart(policy, two, slot('b', 'worker'))).toBe(true);
    expect(mayStart(policy, two, slot('a', 'chat'))).toBe(true);
    // The background share does not hold a worker back: it may take the last slot.
    const three = [slot('b', 'task'), slot('c', 'task'), slot('a', 'chat')];
    expect(mayStart(policy, three, slot('a', 'worker'))).toBe(true);
  });

  it('refuses a delegation that could leave its workers no slot', () => {
    // Cap 1 (global or per group): the lead holds the only slot its worker could have.
    expect(mayDelegate({ maxTotal: 1, maxPerGroup: 1 }, [], 'a')).toBe(false);
    expect(mayDelegate({ maxTotal: 4, maxPerGroup: 1 }, [], 'a')).toBe(false);
    expect(mayDelegate({ maxTotal: 4, maxPerGroup: 2 }, [], 'a')).toBe(true);
    // Two leads of a holding both of a's slots would wait for each other's workers forever.
    expect(mayDelegate({ maxTotal: 4, maxPerGroup: 2 }, ['a'], 'a')).toBe(false);
    expect(mayDelegate({ maxTotal: 4, maxPerGroup: 2 }, ['a'], 'b')).toBe(true);
    expect(mayDelegate({ maxTotal: 3, maxPerGroup: 2 }, ['a', 'b'], 'c')).toBe(false);
    // What the rule prevents: every slot held by a lead, and their workers can never start.
    const full = [slot('a', 'chat'), slot('a', 'chat')];
    expect(chooseNext({ maxTotal: 4, maxPerGroup: 2 }, full, [slot('a', 'worker')])).toBe(
      undefined,
    );
  });
});
