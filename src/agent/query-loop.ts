/**
 * One SDK query over the prompt feed, its messages turned into protocol events. A lead's result
 * is held back while its background agents still run (see team.ts): the host gets one answer,
 * after the team is done. The run's hard timeout (the host's) bounds the wait.
 */
import { query, type Options } from '@anthropic-ai/claude-agent-sdk';
import type { RunnerToHost } from '../shared/protocol.js';
import {
  isErrorResult,
  isInvalidSession,
  resultError,
  type EventMapper,
  type SdkMessageLike,
} from './events.js';
import { diag, type ProtocolOut } from './io.js';
import type { PromptFeed } from './prompts.js';
import { TeamTracker } from './team.js';

export type QueryOutcome = 'ok' | 'invalid-session' | 'failed';

/**
 * How long a held result waits, once no agent is left, for the lead turn that reads the last
 * completion notice (measured: tens of milliseconds); after that the held one is the answer.
 */
export const HELD_RESULT_GRACE_MS = 10_000;

/** The result held back while the team works, handed on when it is clearly the last one. */
class HeldResult {
  private events: RunnerToHost[] | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: ProtocolOut,
    private readonly graceMs: number,
  ) {}

  hold(events: RunnerToHost[]): void {
    this.clear();
    this.events = events;
  }

  /** No agent is left: the next result is final; if none comes, this one is. */
  teamDone(): void {
    if (!this.events || this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.graceMs);
  }

  /** Sends what is held (at the end of the query, or after the grace). */
  flush(): void {
    const events = this.events;
    this.clear();
    for (const event of events ?? []) this.out.send(event);
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.events = undefined;
  }
}

/**
 * A turn that ends in an error result ends the run: while the prompt stream is open the SDK
 * would wait for more input, but the host expects the run to exit and retries the same
 * messages later. (Once input has ended, the SDK also throws it.)
 */
export async function runQuery(
  options: Options,
  feed: PromptFeed,
  out: ProtocolOut,
  events: EventMapper,
  graceMs = HELD_RESULT_GRACE_MS,
): Promise<QueryOutcome> {
  // A resume that fails before the session starts is an invalid session, not a failed turn.
  let started = false;
  const invalidSession = (text: string) => !started && !!options.resume && isInvalidSession(text);
  const team = new TeamTracker((text) => events.masked(text));
  const held = new HeldResult(out, graceMs);
  try {
    for await (const message of query({ prompt: feed.stream(), options })) {
      const sdk = message as SdkMessageLike;
      if (sdk.type === 'system' && sdk.subtype === 'init') started = true;
      if (isErrorResult(sdk) && invalidSession(resultError(sdk))) return 'invalid-session';
      for (const event of team.observe(sdk)) out.send(event);
      const mapped = events.map(sdk);
      if (sdk.type === 'result') {
        feed.answered();
        if (!isErrorResult(sdk) && team.busy()) {
          diag('a result came while background agents run: held until they are done');
          held.hold(mapped);
          continue;
        }
        held.clear();
      }
      for (const event of mapped) out.send(event);
      if (isErrorResult(sdk)) return 'failed';
      if (!team.busy()) held.teamDone();
    }
    held.flush();
    return 'ok';
  } catch (error) {
    held.clear();
    const text = error instanceof Error ? error.message : String(error);
    if (invalidSession(text)) return 'invalid-session';
    out.send({ type: 'error', message: events.masked(text), retryable: true });
    return 'failed';
  }
}
