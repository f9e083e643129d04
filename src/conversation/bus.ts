/**
 * In-process events for live views (web chat, terminal chat): a message was stored, typing
 * started or stopped, the agent did something, the host's status changed. Listeners must not throw; a failing listener is isolated and logged.
 */
import { EventEmitter } from 'node:events';
import { stripInternal, visibleSoFar } from '../runs/text.js';
import type { RunnerToHost } from '../shared/protocol.js';
import type { StoredMessage } from '../store/messages.js';

export interface Activity {
  chatId: string;
  /**
   * A tool call, a team member's step, or text the agent writes on the way to its answer (the
   * text of its current message so far: each replaces the one before).
   */
  kind: 'tool' | 'agent' | 'text';
  agent?: string;
  text: string;
}

const TOOL_VERBS: Readonly<Record<string, string>> = {
  Bash: 'running Bash',
  WebSearch: 'searching the web',
  WebFetch: 'fetching',
  Read: 'reading',
  Write: 'writing',
  Edit: 'editing',
  MultiEdit: 'editing',
  NotebookEdit: 'editing',
  Grep: 'searching files',
  Glob: 'finding files',
  Agent: 'starting an agent',
  Task: 'starting an agent',
  TodoWrite: 'updating its plan',
};

/** A tool call as people read it: "running Bash: npm test", "using send_message". */
export function describeTool(name: string, summary: string): string {
  const verb = TOOL_VERBS[name] ?? `using ${name.replace(/^mcp__[^_]+(?:_[^_]+)*?__/, '')}`;
  return summary ? `${verb}: ${summary}` : verb;
}

/** What a run's event shows in the chat's live views; undefined: nothing to show. */
export function activityOf(
  chatId: string,
  event: Extract<RunnerToHost, { type: 'tool' | 'agent' | 'text' }>,
): Activity | undefined {
  if (event.type === 'text') {
    const text = event.partial ? visibleSoFar(event.text) : stripInternal(event.text);
    return text ? { chatId, kind: 'text', text } : undefined;
  }
  const text =
    event.type === 'tool'
      ? describeTool(event.name, event.summary)
      : `${event.status}${event.summary ? `: ${event.summary}` : ''}`;
  return { chatId, kind: event.type, ...(event.agent ? { agent: event.agent } : {}), text };
}

export interface BusEvents {
  message: [StoredMessage];
  typing: [{ chatId: string; on: boolean }];
  /**
   * What the agent is doing in a chat now: a tool it used, or a team member (background agent,
   * delegated worker) that started, progressed or finished. `agent`: who; absent: the lead.
   */
  activity: [Activity];
  /** The host's status changed (a channel's connection state): live views show it again. */
  status: [];
}

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open web page holds one listener per event type.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): () => void {
    const wrapped = listener as (...args: unknown[]) => void;
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void {
    this.emitter.emit(event, ...args);
  }
}
