/**
 * Model choice per group and task: the effort levels the SDK takes, and checks of what a user
 * or main's agent sets (a model id is passed to the SDK as is, so it is kept to a plain token).
 */
import { z } from 'zod';
import { UserError } from '../errors.js';

export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;
export type EffortLevel = (typeof EFFORT_LEVELS)[number];

export const ModelIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._:@/-]{1,200}$/, 'a model id is 1-200 letters, digits and . _ : @ / -');
export const EffortSchema = z.enum(EFFORT_LEVELS);

/** A stored effort, or undefined when none (or one this SDK does not know) is set. */
export function parseEffort(value: string | undefined): EffortLevel | undefined {
  const parsed = EffortSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Checks a model id and effort from the CLI; throws a UserError saying what to give. */
export function checkModelSetting(model: string | undefined, effort: string | undefined) {
  if (model !== undefined && !ModelIdSchema.safeParse(model).success) {
    throw new UserError(
      `"${model}" is not a model id: use e.g. claude-sonnet-4-5 (letters, digits, . _ : @ / -).`,
    );
  }
  if (effort !== undefined && !EffortSchema.safeParse(effort).success) {
    throw new UserError(`Effort "${effort}" is not one of ${EFFORT_LEVELS.join(', ')}.`);
  }
}
