/**
 * Holding workers in flight at the fake model (for `delegate` tests): a worker's sub-task
 * prompt carries `BARRIER W-<name>`; its first model request is held until `size` workers'
 * first requests are held at once (proof that their sandboxes overlap), or until `release()`.
 * The log records, in the order the fake saw them, each worker's first request and its answer
 * turn (the request carrying its tool result).
 */
import { latestInput, type ContentBlock, type MessagesBody } from './fake-anthropic-rules.js';

export interface WorkerBarrier {
  hold(body: MessagesBody): Promise<void> | undefined;
  /** Most first requests held at the same time. */
  peak(): number;
  /** Whether the barrier opened because `size` were held at once. */
  filled(): boolean;
  log: { worker: string; what: 'first-request' | 'answer-turn' }[];
  /** Lets every held request (and all later ones) through. */
  release(): void;
}

const text = (content: string | ContentBlock[]) =>
  typeof content === 'string' ? content : content.map((b) => b.text ?? '').join('\n');

/**
 * The worker a request belongs to: its first user message starts with the host's worker
 * preamble and carries `BARRIER W-<name>` (the lead's own prompt names them too, without it).
 */
function workerOf(body: MessagesBody): string | undefined {
  const first = body.messages?.find((m) => m.role === 'user');
  const said = first ? text(first.content) : '';
  return said.includes('<worker name="') ? /BARRIER W-([a-z]+)/.exec(said)?.[1] : undefined;
}

export function workerBarrier(size: number): WorkerBarrier {
  const held = new Set<string>();
  const waiters: (() => void)[] = [];
  const log: WorkerBarrier['log'] = [];
  let open = false;
  let filled = false;
  let peak = 0;
  const release = () => {
    open = true;
    for (const wake of waiters.splice(0)) wake();
  };
  return {
    log,
    peak: () => peak,
    filled: () => filled,
    release,
    hold(body) {
      const worker = workerOf(body);
      if (!worker) return undefined;
      if (latestInput(body).some((b) => b.type === 'tool_result')) {
        log.push({ worker, what: 'answer-turn' });
        return undefined;
      }
      if (log.some((e) => e.worker === worker)) return undefined;
      log.push({ worker, what: 'first-request' });
      if (open) return undefined;
      held.add(worker);
      peak = Math.max(peak, held.size);
      const wait = new Promise<void>((resolve) => waiters.push(resolve));
      if (held.size >= size) {
        filled = true;
        release();
      }
      return wait;
    },
  };
}
