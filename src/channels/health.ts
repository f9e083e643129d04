/**
 * Each channel's connection state as the operator sees it. Channels report changes; this keeps
 * the latest per channel and logs once per change of state (not per retry), so a channel that
 * keeps failing the same way does not flood the log.
 */
import type { Logger } from '../log.js';
import type { ChannelHealth } from './channel.js';

export interface ChannelState {
  name: string;
  health: ChannelHealth;
  /** When the state last changed (epoch ms). */
  since: number;
}

/** One line for people: `connected`, `reconnecting in 4s: network down`, `failed: … — fix`. */
export function describeHealth(health: ChannelHealth): string {
  switch (health.state) {
    case 'connecting':
      if (!health.link) return health.state;
      return health.link.code
        ? `waiting to be linked: ${health.link.instructions} (code ${health.link.code})`
        : `waiting to be linked: ${health.link.instructions}`;
    case 'connected':
      return health.state;
    case 'reconnecting':
      return `reconnecting in ${Math.ceil(health.retryInMs / 1000)}s: ${health.reason}`;
    case 'failed':
      return `failed: ${health.reason} (${health.fix})`;
  }
}

/** Whether two states differ in a way worth a log line (a new retry delay is not). */
function changed(a: ChannelHealth | undefined, b: ChannelHealth): boolean {
  if (!a || a.state !== b.state) return true;
  // A link prompt appearing is news; a QR code renewed every few seconds is not.
  if (a.state === 'connecting' && b.state === 'connecting') return !a.link !== !b.link;
  if (a.state === 'reconnecting' && b.state === 'reconnecting') return a.reason !== b.reason;
  if (a.state === 'failed' && b.state === 'failed') return a.reason !== b.reason;
  return false;
}

export class ChannelHealthBoard {
  private readonly states = new Map<string, ChannelState>();

  constructor(private readonly deps: { log: Logger; now(): number }) {}

  report(name: string, health: ChannelHealth): void {
    const before = this.states.get(name);
    const isChange = changed(before?.health, health);
    this.states.set(name, {
      name,
      health,
      since: isChange ? this.deps.now() : (before?.since ?? 0),
    });
    if (!isChange) return;
    const level =
      health.state === 'failed' ? 'error' : health.state === 'reconnecting' ? 'warn' : 'info';
    this.deps.log[level](
      { channel: name, state: health.state },
      `channel ${name}: ${describeHealth(health)}`,
    );
  }

  /** Every channel that reported, by name. */
  list(): ChannelState[] {
    return [...this.states.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
