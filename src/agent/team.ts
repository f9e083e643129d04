/**
 * The lead agent's team inside one sandbox (pure state, no I/O): which background agents still
 * run, and what each did, as protocol events tagged with the agent's name.
 *
 * Measured with the bundled CLI (2.1.331) and a streaming prompt: a lead that starts background
 * agents and ends its turn gets a `result` at once (terminal_reason "completed", not
 * "background_requested"), while its agents go on; each agent's completion notice then starts
 * another lead turn with its own `result`. The runner therefore holds every result back while
 * an agent is still live, and hands on the one that comes after the team is done.
 */
import type { RunnerToHost } from '../shared/protocol.js';
import { summarizeToolInput, type SdkMessageLike } from './events.js';

/** The parts of the SDK's task messages we read. */
export interface TaskMessageLike extends SdkMessageLike {
  task_id?: string;
  tool_use_id?: string;
  description?: string;
  prompt?: string;
  is_backgrounded?: boolean;
  status?: string;
  summary?: string;
  ambient?: boolean;
  subagent_type?: string;
  task_type?: string;
  tasks?: { task_id?: string; ambient?: boolean; description?: string }[];
}

const NAME_MAX = 60;
const bounded = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

export class TeamTracker {
  /** Live background tasks by id (the CLI's level signal replaces this set). */
  private readonly live = new Set<string>();
  /** Agent names by the lead's Agent tool_use id (their own messages carry it as parent). */
  private readonly names = new Map<string, string>();
  private readonly taskNames = new Map<string, string>();

  constructor(private readonly mask: (text: string) => string) {}

  /** Whether a background agent still runs: a result now is not the final answer. */
  busy(): boolean {
    return this.live.size > 0;
  }

  /** Updates the team from one SDK message; returns the events it means for the host. */
  observe(message: TaskMessageLike): RunnerToHost[] {
    if (message.type === 'assistant' && message.parent_tool_use_id) {
      return this.agentTools(message);
    }
    if (message.type !== 'system') return [];
    switch (message.subtype) {
      case 'background_tasks_changed':
        this.live.clear();
        for (const task of message.tasks ?? []) {
          if (task.task_id && !task.ambient) this.live.add(task.task_id);
        }
        return [];
      case 'task_started':
        return this.started(message);
      case 'task_progress':
        return this.event(message, 'progress', message.summary ?? message.description ?? '');
      case 'task_notification':
        if (message.task_id) this.live.delete(message.task_id);
        return this.finished(message);
      default:
        return [];
    }
  }

  private started(message: TaskMessageLike): RunnerToHost[] {
    if (!message.task_id || message.ambient) return [];
    if (message.is_backgrounded) this.live.add(message.task_id);
    // Shell commands are tasks too; only agents are team members.
    const isAgent = message.subagent_type !== undefined || message.task_type === 'local_agent';
    if (!isAgent) return [];
    const name = bounded(this.mask(message.description ?? 'agent'), NAME_MAX);
    this.taskNames.set(message.task_id, name);
    if (message.tool_use_id) this.names.set(message.tool_use_id, name);
    return this.event(message, 'started', message.prompt ?? message.description ?? '');
  }

  private finished(message: TaskMessageLike): RunnerToHost[] {
    const status = message.status === 'completed' ? 'done' : 'failed';
    return this.event(message, status, message.summary ?? message.status ?? '');
  }

  private event(
    message: TaskMessageLike,
    status: 'started' | 'progress' | 'done' | 'failed',
    text: string,
  ): RunnerToHost[] {
    const agent = message.task_id ? this.taskNames.get(message.task_id) : undefined;
    if (!agent) return [];
    const summary = summarizeToolInput({ description: text }, (t) => this.mask(t));
    return [{ type: 'agent', agent, status, summary }];
  }

  /** A team member's tool calls, tagged with its name (its text stays inside the sandbox). */
  private agentTools(message: TaskMessageLike): RunnerToHost[] {
    const agent = this.names.get(message.parent_tool_use_id ?? '') ?? 'agent';
    const content = message.message?.content;
    if (!Array.isArray(content)) return [];
    return (content as Record<string, unknown>[]).flatMap((block): RunnerToHost[] =>
      block.type === 'tool_use' && typeof block.name === 'string'
        ? [
            {
              type: 'tool',
              name: block.name,
              summary: summarizeToolInput(block.input, (t) => this.mask(t)),
              agent,
            },
          ]
        : [],
    );
  }
}
