/**
 * The one sandbox limiter of a host process: every sandbox (chat run, task run, pre-check)
 * takes a slot before it starts and gives it back once its process has exited. The decisions
 * are the pure policy in `limiter-policy.ts`; this file only keeps the state and wakes waiters.
 */
import {
  chooseNext,
  planYields,
  servedKey,
  type Holder,
  type LimiterPolicy,
  type SandboxKind,
  type Slot,
} from './limiter-policy.js';

export interface SlotRequest {
  group: string;
  kind: SandboxKind;
}

/** A held slot. */
export interface Lease {
  /**
   * The sandbox lives on but is idle: `onNeeded` is called (at most once) when a waiting run
   * needs this slot; the holder should then end its sandbox (and release).
   */
  idle(onNeeded: () => void): void;
  /** Busy again: the slot is no longer offered. */
  busy(): void;
  /** Frees the slot. Only the first call counts; later ones do nothing. */
  release(): void;
}

interface HeldSlot extends Holder {
  onNeeded: (() => void) | undefined;
}

interface Waiter extends Slot {
  grant(lease: Lease): void;
}

export interface LimiterSnapshot {
  running: readonly Slot[];
  waiting: readonly Slot[];
}

export class SandboxLimiter {
  private readonly held = new Map<number, HeldSlot>();
  private readonly waiting: Waiter[] = [];
  private readonly served = new Map<string, number>();
  private nextId = 1;
  private grants = 0;

  constructor(readonly policy: LimiterPolicy) {}

  /** Waits for a slot. Rejects with the signal's reason if it is aborted first (the request leaves the queue). */
  acquire(request: SlotRequest, signal: AbortSignal): Promise<Lease> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<Lease>((resolve, reject) => {
      const id = this.nextId++;
      const onAbort = () => {
        const index = this.waiting.findIndex((w) => w.id === id);
        if (index < 0) return;
        this.waiting.splice(index, 1);
        reject(abortReason(signal));
        this.pump();
      };
      this.waiting.push({
        id,
        ...request,
        grant: (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      });
      signal.addEventListener('abort', onAbort, { once: true });
      this.pump();
    });
  }

  snapshot(): LimiterSnapshot {
    const slot = ({ id, group, kind }: Slot): Slot => ({ id, group, kind });
    return { running: [...this.held.values()].map(slot), waiting: this.waiting.map(slot) };
  }

  /** Starts every waiter that may start, then asks idle holders to make room for the rest. */
  private pump(): void {
    for (;;) {
      const next = chooseNext(this.policy, [...this.held.values()], this.waiting, this.served);
      if (!next) break;
      const index = this.waiting.findIndex((w) => w.id === next.id);
      const [waiter] = this.waiting.splice(index, 1) as [Waiter];
      this.served.set(servedKey(waiter), ++this.grants);
      waiter.grant(this.hold(waiter));
    }
    if (this.waiting.length === 0) return;
    for (const id of planYields(this.policy, [...this.held.values()], this.waiting, this.served)) {
      const holder = this.held.get(id);
      if (!holder?.onNeeded) continue;
      const onNeeded = holder.onNeeded;
      holder.yielding = true;
      holder.onNeeded = undefined;
      // Later, not inside this pump: the holder's reaction may release or acquire slots.
      queueMicrotask(onNeeded);
    }
  }

  private hold(slot: Slot): Lease {
    const holder: HeldSlot = {
      id: slot.id,
      group: slot.group,
      kind: slot.kind,
      idle: false,
      yielding: false,
      onNeeded: undefined,
    };
    this.held.set(holder.id, holder);
    let released = false;
    return {
      idle: (onNeeded) => {
        if (released || holder.yielding) return;
        holder.idle = true;
        holder.onNeeded = onNeeded;
        if (this.waiting.length > 0) this.pump();
      },
      busy: () => {
        holder.idle = false;
        holder.onNeeded = undefined;
      },
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(holder.id);
        this.pump();
      },
    };
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}
