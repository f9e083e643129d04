/**
 * Bodies of the usage, budget and model tools (host API `/api/<tool>`). The caller is never in
 * a body: it comes from the run's capability; the host decides what it may see or change.
 */
import { z } from 'zod';

const GroupFolder = z.string().min(1).max(64);
const Amount = z.number().nonnegative().finite().max(1e12);

export const USAGE_API_PATHS = {
  getUsage: '/api/get_usage',
  setBudget: '/api/set_budget',
  setModel: '/api/set_model',
} as const;

export const GetUsageBodySchema = z
  .object({
    /** Another group: main only. Absent: the caller's group (main: all groups). */
    group_folder: GroupFolder.optional(),
    /** `today`, `month`, a duration like `7d`, or an ISO date. Default: this month (UTC). */
    since: z.string().min(1).max(40).optional(),
    by: z.enum(['day', 'group', 'task', 'model', 'channel']).optional(),
  })
  .strict();
export type GetUsageBody = z.infer<typeof GetUsageBodySchema>;

/** Main only. `group_folder: "all"` is the budget of all groups together; an amount of null clears. */
export const SetBudgetBodySchema = z
  .object({
    group_folder: GroupFolder,
    period: z.enum(['daily', 'monthly']),
    unit: z.enum(['usd', 'tokens']),
    amount: Amount.nullable(),
  })
  .strict();
export type SetBudgetBody = z.infer<typeof SetBudgetBodySchema>;

/** Main only: the model (and effort) of a group or of one of its tasks; null clears. */
export const SetModelBodySchema = z
  .object({
    group_folder: GroupFolder.optional(),
    task_id: z.string().min(1).max(100).optional(),
    model: z.string().min(1).max(200).nullable(),
    effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
  })
  .strict()
  .refine((b) => (b.group_folder === undefined) !== (b.task_id === undefined), {
    message: 'give exactly one of group_folder and task_id',
  });
export type SetModelBody = z.infer<typeof SetModelBodySchema>;
