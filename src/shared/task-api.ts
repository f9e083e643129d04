/**
 * Bodies of the task tools (agent MCP tools and host API routes share these shapes). The
 * caller's group is never a body field that grants anything: `group_folder` only names a target,
 * and only main may name another group.
 */
import { z } from 'zod';

const taskId = z.string().min(1).max(64).describe('The task id');

export const TASK_SHAPES = {
  schedule_task: {
    prompt: z.string().min(1).max(8000).describe('What the agent should do when the task runs'),
    schedule_type: z.enum(['cron', 'interval', 'once']).describe('cron, interval or once'),
    schedule_value: z
      .string()
      .min(1)
      .max(200)
      .describe(
        'cron: 5 fields like "0 9 * * 1-5" (user time zone); interval: milliseconds, at least 10000; once: ISO time like 2026-12-01T09:00 (user time zone) or with Z/+01:00',
      ),
    context_mode: z
      .enum(['isolated', 'group'])
      .optional()
      .describe('isolated (default): fresh session; group: the chat session'),
    script: z
      .string()
      .min(1)
      .max(4000)
      .optional()
      .describe(
        'Optional pre-check shell command; the agent runs only if it prints {"wakeAgent": true}',
      ),
    missed_policy: z
      .enum(['run-once', 'skip'])
      .optional()
      .describe('After downtime: run-once (default) or skip'),
    group_folder: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Target group (main only); default: this group'),
  },
  list_tasks: {
    group_folder: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('Only this group (main may name any)'),
  },
  get_task: { task_id: taskId },
  update_task: {
    task_id: taskId,
    prompt: z.string().min(1).max(8000).optional(),
    schedule_type: z.enum(['cron', 'interval', 'once']).optional(),
    schedule_value: z.string().min(1).max(200).optional(),
    context_mode: z.enum(['isolated', 'group']).optional(),
    script: z.string().max(4000).optional().describe('Empty string removes the pre-check'),
  },
  pause_task: { task_id: taskId },
  resume_task: { task_id: taskId },
  cancel_task: { task_id: taskId },
  run_task_now: { task_id: taskId },
} as const;

export type TaskToolName = keyof typeof TASK_SHAPES;

export const TASK_SCHEMAS = Object.fromEntries(
  Object.entries(TASK_SHAPES).map(([name, shape]) => [name, z.object(shape).strict()]),
) as { [K in TaskToolName]: z.ZodObject<(typeof TASK_SHAPES)[K]> };

export type TaskBody<K extends TaskToolName> = z.infer<(typeof TASK_SCHEMAS)[K]>;

export const TASK_TOOL_DESCRIPTIONS: Record<TaskToolName, string> = {
  schedule_task:
    'Schedule a task: a prompt you will run later (cron, interval or once), with its output sent to this chat. Prefer update_task over creating a duplicate.',
  list_tasks: 'List scheduled tasks of this group (main: all groups, or one with group_folder).',
  get_task: 'Show one task with its recent runs.',
  update_task: 'Change a task’s prompt, schedule, context mode or pre-check script.',
  pause_task: 'Pause a task (it keeps its schedule).',
  resume_task:
    'Resume a paused task at its next occurrence from now (missed ones are not replayed).',
  cancel_task: 'Cancel a task for good.',
  run_task_now:
    'Run an active task right away. A cron task then keeps its times; an interval restarts from now; a once task runs now instead of later.',
};
