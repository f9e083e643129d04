/**
 * Who may start a sandbox now (pure). Every sandbox the host starts holds one slot while it
 * lives. The policy, documented in docs/ARCHITECTURE.md ("Sandbox slots"):
 *
 * - at most `maxTotal` slots held at once, and at most `maxPerGroup` by one group;
 * - background work (tasks, pre-checks) never takes the last free slot, globally or within a
 *   group (unless that cap is 1), so a chat reply is never stuck behind long tasks;
 * - a free slot goes to a waiting chat before any background work; within a class, to the group
 *   holding the fewest slots of that class, then to the group served longest ago in that class
 *   (round robin: one group's backlog cannot starve the others), then to the oldest request;
 * - an idle chat run (alive, waiting for follow-ups) gives its slot up when a waiting run needs it;
 * - a worker (a sandbox of a `delegate` call) goes before everything else: it finishes work a
 *   running lead is waiting for; at most `maxWorkersPerGroup` workers of one group at once;
 * - no deadlock between a lead and its workers: a lead holds its slot while its workers wait,
 *   so `mayDelegate` lets leads delegate only while fewer than the cap (globally and in the
 *   group) are delegating. Then some slot is always held by work that ends on its own (or is
 *   free), and when it is freed it goes to a waiting worker first (see the exhaustive test).
 */

/** Each kind of sandbox and its class; foreground answers a person and goes first. */
export const SANDBOX_KINDS = {
  chat: 'foreground',
  worker: 'worker',
  task: 'background',
  precheck: 'background',
} as const satisfies Record<string, SandboxClass>;
export type SandboxKind = keyof typeof SANDBOX_KINDS;
type SandboxClass = 'worker' | 'foreground' | 'background';
/** Which class is served first when several may start. */
const CLASS_ORDER: Record<SandboxClass, number> = { worker: 0, foreground: 1, background: 2 };

export interface LimiterPolicy {
  maxTotal: number;
  maxPerGroup: number;
  /** Workers of one group alive at once (default: no cap beyond maxPerGroup). */
  maxWorkersPerGroup?: number;
}

/** A slot held or asked for. Ids grow with arrival: a lower id asked earlier. */
export interface Slot {
  id: number;
  group: string;
  kind: SandboxKind;
}

export interface Holder extends Slot {
  /** Alive but idle (a chat run waiting for follow-ups): may be asked to give the slot up. */
  idle: boolean;
  /** Already asked to give the slot up (it is released when its sandbox has exited). */
  yielding: boolean;
}

const isBackground = (slot: Slot) => SANDBOX_KINDS[slot.kind] === 'background';
/** How many of `cap` slots background work may hold: all but one, and at least one. */
const backgroundShare = (cap: number) => (cap > 1 ? cap - 1 : 1);
const count = <T>(items: readonly T[], match: (item: T) => boolean) =>
  items.reduce((n, item) => (match(item) ? n + 1 : n), 0);

/** Whether `request` may start beside the slots `held` now. */
export function mayStart(policy: LimiterPolicy, held: readonly Slot[], request: Slot): boolean {
  const inGroup = (slot: Slot) => slot.group === request.group;
  if (held.length >= policy.maxTotal || count(held, inGroup) >= policy.maxPerGroup) return false;
  if (request.kind === 'worker') {
    const workers = count(held, (h) => h.kind === 'worker' && inGroup(h));
    return workers < (policy.maxWorkersPerGroup ?? Infinity);
  }
  if (!isBackground(request)) return true;
  const background = held.filter(isBackground);
  return (
    background.length < backgroundShare(policy.maxTotal) &&
    count(background, inGroup) < backgroundShare(Math.min(policy.maxPerGroup, policy.maxTotal))
  );
}

/**
 * Whether a running lead of `group` may start delegating, beside the leads delegating now
 * (their groups, one entry each): only while fewer than the cap, globally and in the group,
 * would be delegating, so a lead's workers never wait behind their own lead forever.
 */
export function mayDelegate(
  policy: LimiterPolicy,
  delegating: readonly string[],
  group: string,
): boolean {
  const inGroup = count(delegating, (g) => g === group);
  const groupCap = Math.min(policy.maxPerGroup, policy.maxTotal);
  return delegating.length + 1 < policy.maxTotal && inGroup + 1 < groupCap;
}

/**
 * When each group last got a slot of each class, by `servedKey` (a number growing with each
 * grant; never: absent). Used to serve groups in turn.
 */
export type Served = ReadonlyMap<string, number>;

export const servedKey = (slot: Omit<Slot, 'id'>) => `${SANDBOX_KINDS[slot.kind]} ${slot.group}`;

/**
 * The waiting request to start next, if any may start: chat first; then the group holding the
 * fewest slots of the request's class (a group's idle chat does not cost its tasks their turn),
 * then the group served longest ago in that class, then the oldest request.
 */
export function chooseNext(
  policy: LimiterPolicy,
  held: readonly Slot[],
  waiting: readonly Slot[],
  served: Served = new Map(),
): Slot | undefined {
  let best: { slot: Slot; rank: number[] } | undefined;
  for (const slot of waiting) {
    if (!mayStart(policy, held, slot)) continue;
    const kind = SANDBOX_KINDS[slot.kind];
    const rank = [
      CLASS_ORDER[kind],
      count(held, (h) => h.group === slot.group && SANDBOX_KINDS[h.kind] === kind),
      served.get(servedKey(slot)) ?? 0,
      slot.id,
    ];
    if (!best || before(rank, best.rank)) best = { slot, rank };
  }
  return best?.slot;
}

function before(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < a.length; i += 1) {
    if ((a[i] as number) !== (b[i] as number)) return (a[i] as number) < (b[i] as number);
  }
  return false;
}

/**
 * The idle holders to ask to give their slot up so that waiting requests can start: slots
 * already being given up count as free; an idle holder is asked only when freeing it lets a
 * request start that nothing else would. Oldest idle holder first.
 */
export function planYields(
  policy: LimiterPolicy,
  holders: readonly Holder[],
  waiting: readonly Slot[],
  served: Served = new Map(),
): number[] {
  let held: Holder[] = holders.filter((h) => !h.yielding);
  let left = [...waiting];
  const ask: number[] = [];
  for (;;) {
    const next = chooseNext(policy, held, left, served);
    if (next) {
      held = [...held, { ...next, idle: false, yielding: false }];
      left = left.filter((w) => w.id !== next.id);
      continue;
    }
    const freeing = held.find(
      (h) => h.idle && chooseNext(policy, without(held, h), left, served) !== undefined,
    );
    if (!freeing) return ask;
    ask.push(freeing.id);
    held = without(held, freeing);
  }
}

const without = (held: readonly Holder[], gone: Holder) => held.filter((h) => h.id !== gone.id);
