/**
 * What `nanoclaw status` reports, assembled from the store (always) and from the running host's
 * memory (channels, live runs) when it runs. The same function serves the host's control socket
 * and the CLI's read-only fallback, so both show the same facts in the same shape.
 */
import type { ChannelStatus } from '../channels/channel.js';
import type { GroupStatus, LiveRun, StatusReport } from '../control/protocol.js';
import type { GroupStore } from '../store/groups.js';
import type { StoreInspector } from '../store/inspect.js';
import type { TaskStore } from '../store/tasks.js';

const NEXT_TASKS = 5;

export interface LiveFacts {
  host: NonNullable<StatusReport['host']>;
  channels: readonly ChannelStatus[];
  /** Sandboxes holding a slot, and those waiting for one (the limiter's snapshot). */
  slots: {
    running: readonly { group: string; kind: string }[];
    waiting: readonly { group: string }[];
  };
  /** Conversation runs alive now. */
  conversations: readonly { group: string; runId: string; chatId?: string; startedAt?: number }[];
}

export interface StatusSources {
  home: string;
  assistantName: string;
  groups: GroupStore;
  tasks: TaskStore;
  inspect: StoreInspector;
  /** What the user must set (credentials), as the host computes it. */
  setupProblems: readonly string[];
  live?: LiveFacts;
}

/** Task runs the store records as running, oldest first (only meaningful while the host runs). */
function runningTasks(s: StatusSources, folder: string): { taskId: string; startedAt: number }[] {
  return s.tasks
    .list()
    .filter((t) => t.groupFolder === folder)
    .flatMap((t) => s.tasks.runs(t.id, 1).filter((r) => r.status === 'running'))
    .map((r) => ({ taskId: r.taskId, startedAt: r.startedAt }))
    .sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * A group's sandboxes alive now, with what is known of each: the first chat slot is the
 * conversation run (its id, chat, start); background slots (a task run or its pre-check) are
 * matched in order to the task runs the store records as running (the start is the claim).
 */
export function liveRunsOf(s: StatusSources, folder: string): LiveRun[] {
  if (!s.live) return [];
  const runtime = s.live.host.runtime;
  const conversation = s.live.conversations.find((c) => c.group === folder);
  const tasks = runningTasks(s, folder);
  let chatSeen = false;
  let background = 0;
  return s.live.slots.running
    .filter((r) => r.group === folder)
    .map((r) => {
      const base = { kind: r.kind, runtime };
      if (r.kind === 'chat' && !chatSeen && conversation) {
        chatSeen = true;
        const { runId, chatId, startedAt } = conversation;
        return {
          ...base,
          runId,
          ...(chatId ? { chatId } : {}),
          ...(startedAt ? { startedAt } : {}),
        };
      }
      const task = r.kind === 'task' || r.kind === 'precheck' ? tasks[background++] : undefined;
      return task ? { ...base, taskId: task.taskId, startedAt: task.startedAt } : base;
    });
}

function groupStatus(s: StatusSources): GroupStatus[] {
  return s.groups.list().map((g) => {
    const chats = s.groups.chats(g.folder);
    const last = s.inspect.lastRun(g.folder);
    const error = typeof last?.detail.error === 'string' ? last.detail.error : undefined;
    return {
      folder: g.folder,
      name: g.name,
      isMain: g.isMain,
      chats,
      lastActivity: s.inspect.lastActivity(chats) ?? null,
      lastRun: last
        ? { at: last.ts, ok: last.decision === 'ok', ...(error ? { error } : {}) }
        : null,
      liveRuns: liveRunsOf(s, g.folder),
      waiting: (s.live?.slots.waiting ?? []).filter((w) => w.group === g.folder).length,
    };
  });
}

/** Things to fix, each saying what to do. */
function problems(s: StatusSources, groups: readonly GroupStatus[]): string[] {
  const out = [...s.setupProblems];
  for (const c of s.live?.channels ?? []) {
    if (c.state === 'failed' || c.state === 'reconnecting')
      out.push(`Channel ${c.name}: ${c.summary}`);
  }
  const stuck = s.inspect.undelivered().filter((o) => o.attempts > 0);
  for (const o of stuck.slice(0, 3)) {
    out.push(
      `A reply to ${o.chatId} is not delivered after ${o.attempts} attempt(s) ` +
        `(last error: ${o.lastError ?? 'unknown'}); it is retried — check that chat's channel.`,
    );
  }
  if (stuck.length > 3) out.push(`${stuck.length - 3} more replies are waiting to be delivered.`);
  for (const g of groups) {
    if (g.lastRun && !g.lastRun.ok) {
      out.push(
        `The last run of group ${g.folder} failed (${g.lastRun.error ?? 'no reason recorded'}): ` +
          'see `nanoclaw why last` and `nanoclaw logs --group ' +
          `${g.folder} --level warn\`.`,
      );
    }
  }
  return out;
}

export function collectStatus(s: StatusSources): StatusReport {
  const groups = groupStatus(s);
  const nextTasks = s.tasks
    .list()
    .filter((t) => t.status === 'active' && t.nextRun !== undefined)
    .sort((a, b) => (a.nextRun ?? 0) - (b.nextRun ?? 0))
    .slice(0, NEXT_TASKS)
    .map((t) => ({
      id: t.id,
      group: t.groupFolder,
      schedule: `${t.scheduleType} ${t.scheduleValue}`,
      nextRun: t.nextRun ?? 0,
    }));
  return {
    running: s.live !== undefined,
    ...(s.live ? { host: s.live.host } : {}),
    home: s.home,
    assistantName: s.assistantName,
    channels: [...(s.live?.channels ?? [])],
    groups,
    nextTasks,
    problems: problems(s, groups),
  };
}
