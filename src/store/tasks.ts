/**
 * Scheduled tasks and their runs. `claim` is the exactly-once gate: it moves a task past one
 * occurrence and records the run in one transaction, and only if nobody did so before.
 */
import type { Db } from './db.js';

export type TaskStatus = 'active' | 'paused' | 'completed' | 'cancelled';
export type RunStatus = 'running' | 'success' | 'error' | 'skipped';

export interface Task {
  id: string;
  groupFolder: string;
  prompt: string;
  scheduleType: 'cron' | 'interval' | 'once';
  scheduleValue: string;
  contextMode: 'isolated' | 'group';
  script: string | undefined;
  missedPolicy: 'run-once' | 'skip';
  status: TaskStatus;
  nextRun: number | undefined;
  pausedReason: string | undefined;
  createdAt: number;
  updatedAt: number;
}

export interface TaskRun {
  id: number;
  taskId: string;
  scheduledFor: number;
  startedAt: number;
  finishedAt: number | undefined;
  durationMs: number | undefined;
  status: RunStatus;
  result: string | undefined;
  error: string | undefined;
}

interface TaskRow {
  id: string;
  group_folder: string;
  prompt: string;
  schedule_type: Task['scheduleType'];
  schedule_value: string;
  context_mode: Task['contextMode'];
  script: string | null;
  missed_policy: Task['missedPolicy'];
  status: TaskStatus;
  next_run: number | null;
  paused_reason: string | null;
  created_at: number;
  updated_at: number;
}

interface RunRow {
  id: number;
  task_id: string;
  scheduled_for: number;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  status: RunStatus;
  result: string | null;
  error: string | null;
}

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  groupFolder: r.group_folder,
  prompt: r.prompt,
  scheduleType: r.schedule_type,
  scheduleValue: r.schedule_value,
  contextMode: r.context_mode,
  script: r.script ?? undefined,
  missedPolicy: r.missed_policy,
  status: r.status,
  nextRun: r.next_run ?? undefined,
  pausedReason: r.paused_reason ?? undefined,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const toRun = (r: RunRow): TaskRun => ({
  id: r.id,
  taskId: r.task_id,
  scheduledFor: r.scheduled_for,
  startedAt: r.started_at,
  finishedAt: r.finished_at ?? undefined,
  durationMs: r.duration_ms ?? undefined,
  status: r.status,
  result: r.result ?? undefined,
  error: r.error ?? undefined,
});

export type NewTask = Omit<Task, 'status' | 'pausedReason' | 'createdAt' | 'updatedAt'>;

export class TaskStore {
  constructor(private readonly db: Db) {}

  create(task: NewTask, now: number): Task {
    this.db
      .prepare(
        `INSERT INTO tasks (id, group_folder, prompt, schedule_type, schedule_value, context_mode,
           script, missed_policy, next_run, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        task.id,
        task.groupFolder,
        task.prompt,
        task.scheduleType,
        task.scheduleValue,
        task.contextMode,
        task.script ?? null,
        task.missedPolicy,
        task.nextRun ?? null,
        now,
        now,
      );
    return this.get(task.id) as Task;
  }

  get(id: string): Task | undefined {
    const row = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row && toTask(row);
  }

  list(groupFolder?: string): Task[] {
    const rows = groupFolder
      ? this.db
          .prepare(
            "SELECT * FROM tasks WHERE group_folder = ? AND status != 'cancelled' ORDER BY created_at",
          )
          .all(groupFolder)
      : this.db
          .prepare(
            "SELECT * FROM tasks WHERE status != 'cancelled' ORDER BY group_folder, created_at",
          )
          .all();
    return (rows as TaskRow[]).map(toTask);
  }

  /** Tasks of a group that may still run (active or paused). */
  countOpen(groupFolder: string): number {
    const row = this.db
      .prepare(
        "SELECT count(*) AS n FROM tasks WHERE group_folder = ? AND status IN ('active', 'paused')",
      )
      .get(groupFolder) as { n: number };
    return row.n;
  }

  /** Changes the given fields; undefined fields stay as they are. */
  update(
    id: string,
    fields: Partial<
      Pick<
        Task,
        | 'prompt'
        | 'scheduleType'
        | 'scheduleValue'
        | 'contextMode'
        | 'script'
        | 'status'
        | 'nextRun'
        | 'pausedReason'
      >
    >,
    now: number,
  ): void {
    const columns: Record<string, string> = {
      prompt: 'prompt',
      scheduleType: 'schedule_type',
      scheduleValue: 'schedule_value',
      contextMode: 'context_mode',
      script: 'script',
      status: 'status',
      nextRun: 'next_run',
      pausedReason: 'paused_reason',
    };
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [key, column] of Object.entries(columns)) {
      if (!(key in fields)) continue;
      sets.push(`${column} = ?`);
      values.push((fields as Record<string, string | number | undefined>)[key] ?? null);
    }
    if (sets.length === 0) return;
    this.db
      .prepare(`UPDATE tasks SET ${sets.join(', ')}, updated_at = ? WHERE id = ?`)
      .run(...values, now, id);
  }

  /** Active tasks due at `now`, earliest first. */
  due(now: number): Task[] {
    const rows = this.db
      .prepare(
        "SELECT * FROM tasks WHERE status = 'active' AND next_run IS NOT NULL AND next_run <= ? ORDER BY next_run",
      )
      .all(now) as TaskRow[];
    return rows.map(toTask);
  }

  earliestNextRun(): number | undefined {
    const row = this.db
      .prepare(
        "SELECT min(next_run) AS at FROM tasks WHERE status = 'active' AND next_run IS NOT NULL",
      )
      .get() as { at: number | null };
    return row.at ?? undefined;
  }

  /**
   * Claims one occurrence: moves the task to `following` (completed when there is none) and
   * records a running run, in one transaction. Undefined when the occurrence was already claimed
   * (the task is no longer at it, or is not active). If the occurrence already has a run row
   * (a reset landed on a time that already ran), the task still moves on and nothing runs.
   */
  claim(
    taskId: string,
    occurrence: number,
    following: number | undefined,
    now: number,
  ): number | undefined {
    return this.db.transaction(() => {
      const moved = this.db
        .prepare(
          `UPDATE tasks SET next_run = ?, status = CASE WHEN ? IS NULL THEN 'completed' ELSE status END,
             updated_at = ?
           WHERE id = ? AND next_run = ? AND status = 'active'`,
        )
        .run(following ?? null, following ?? null, now, taskId, occurrence);
      if (moved.changes !== 1) return undefined;
      const run = this.db
        .prepare(
          `INSERT OR IGNORE INTO task_runs (task_id, scheduled_for, started_at, status)
           VALUES (?, ?, ?, 'running')`,
        )
        .run(taskId, occurrence, now);
      return run.changes === 1 ? Number(run.lastInsertRowid) : undefined;
    })();
  }

  finishRun(
    runId: number,
    outcome: { status: 'success' | 'error' | 'skipped'; result?: string; error?: string },
    now: number,
  ): void {
    this.db
      .prepare(
        `UPDATE task_runs SET finished_at = ?, duration_ms = ? - started_at, status = ?, result = ?, error = ?
         WHERE id = ?`,
      )
      .run(
        now,
        now,
        outcome.status,
        outcome.result?.slice(0, 4000) ?? null,
        outcome.error?.slice(0, 2000) ?? null,
        runId,
      );
  }

  /** Runs left `running` by a host that died: they did not finish, and are not re-run. */
  abandonRunning(now: number): number {
    return this.db
      .prepare(
        `UPDATE task_runs SET status = 'error', finished_at = ?, duration_ms = ? - started_at,
           error = 'the host stopped during this run' WHERE status = 'running'`,
      )
      .run(now, now).changes;
  }

  runs(taskId: string, limit: number): TaskRun[] {
    const rows = this.db
      .prepare('SELECT * FROM task_runs WHERE task_id = ? ORDER BY scheduled_for DESC LIMIT ?')
      .all(taskId, limit) as RunRow[];
    return rows.map(toRun);
  }
}
