/**
 * Runs setup's steps in order. A step already done is shown as done and kept, unless the flags
 * ask for it (or, on a terminal, you say you want to change it). The first failure stops setup
 * with its exact fix; what earlier steps wrote stays, so running setup again continues there.
 */
import { errorMessage, UserError } from '../errors.js';
import type { Progress } from './progress.js';
import type { SetupContext, Step, StepOutcome } from './step.js';
import { environmentStep, runtimeStep } from './steps-machine.js';
import { modelStep } from './steps-model.js';
import { assistantStep, channelStep } from './steps-assistant.js';
import { mountsStep } from './steps-mounts.js';
import { serviceStep, turnStep } from './steps-finish.js';

export const STEPS: readonly Step[] = [
  environmentStep,
  runtimeStep,
  modelStep,
  assistantStep,
  channelStep,
  mountsStep,
  serviceStep,
  turnStep,
];

async function runStep(step: Step, ctx: SetupContext): Promise<StepOutcome> {
  try {
    return await step.run(ctx);
  } catch (error) {
    // A UserError already says what to do; anything else is shown as what went wrong.
    const fix =
      error instanceof UserError
        ? 'Do what the message says, then run nanoclaw setup again.'
        : 'nanoclaw doctor names the part that fails.';
    return { status: 'fail', detail: errorMessage(error), fix };
  }
}

/** What is done already, or undefined when the step should run now. */
async function keep(step: Step, ctx: SetupContext): Promise<string | undefined> {
  if (step.requested(ctx)) return undefined;
  const already = await step.done(ctx).catch(() => undefined);
  if (already === undefined) return undefined;
  if (ctx.ask && (await ctx.ask.confirm(`Done already (${already}). Change it?`, false)))
    return undefined;
  return already;
}

export async function runSetup(ctx: SetupContext, progress: Progress): Promise<boolean> {
  const total = STEPS.length;
  for (const [i, step] of STEPS.entries()) {
    progress({ event: 'start', step: step.id, index: i + 1, total, title: step.title });
    const kept = await keep(step, ctx);
    if (kept !== undefined) {
      progress({ event: 'done', step: step.id, detail: kept, changed: false, kept: true });
      continue;
    }
    const outcome = await runStep(step, {
      ...ctx,
      progress: (line) => progress({ event: 'progress', step: step.id, line }),
    });
    if (outcome.status === 'fail') {
      progress({ event: 'fail', step: step.id, detail: outcome.detail, fix: outcome.fix });
      progress({
        event: 'finish',
        ok: false,
        detail: `Setup stopped at "${step.title}". Fix it, then run nanoclaw setup again: finished steps are kept.`,
      });
      return false;
    }
    if (outcome.status === 'skip')
      progress({ event: 'skip', step: step.id, detail: outcome.detail });
    else
      progress({
        event: 'done',
        step: step.id,
        detail: outcome.detail,
        changed: outcome.changed,
        kept: false,
      });
  }
  progress({
    event: 'finish',
    ok: true,
    detail: 'NanoClaw is set up. Check it any time with nanoclaw doctor.',
  });
  return true;
}
