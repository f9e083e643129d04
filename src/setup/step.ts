/**
 * The shape of one setup step and what every step may use. A step says what is already in place
 * (`done`: shown, and kept unless you ask to change it), whether the flags ask for it, and how to
 * do it. Steps talk to the user only through `ask` (absent when non-interactive) and `progress`.
 */
import { loadConfig, readDotenv, type Config } from '../config.js';
import type { CliContext } from '../cli/index.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { editEnvFile, type EnvEdit } from './dotenv.js';
import type { SetupOptions, StepId } from './options.js';
import type { Asker } from './prompt.js';

export type StepOutcome =
  | { status: 'done'; detail: string; changed: boolean }
  | { status: 'skip'; detail: string }
  | { status: 'fail'; detail: string; fix: string };

export interface SetupState {
  runtime?: SandboxRuntime;
  /** A channel skill was added: its pairing code is printed once the host runs it. */
  pairChannel?: string;
  /** The service runs the host now (the last turn goes through it). */
  serviceRunning?: boolean;
  /** Settings changed in this run (a running service is restarted to apply them). */
  changed: boolean;
}

export interface SetupContext {
  cli: CliContext;
  options: SetupOptions;
  envFile: string;
  /** Absent without a terminal, with --yes or --json: steps then use flags, env and defaults. */
  ask: Asker | undefined;
  progress(line: string): void;
  signal: AbortSignal;
  state: SetupState;
}

export interface Step {
  id: StepId;
  title: string;
  /** What is in place already, or undefined when the step still has to be done. */
  done(ctx: SetupContext): Promise<string | undefined>;
  /** Whether the flags or environment ask for this step (then it runs although done). */
  requested(ctx: SetupContext): boolean;
  run(ctx: SetupContext): Promise<StepOutcome>;
}

/** The .env as it is now (re-read: earlier steps may have written it). */
export const dotenv = (ctx: SetupContext) => readDotenv(ctx.envFile);

/** The Config the host would load now. */
export const currentConfig = (ctx: SetupContext): Config =>
  loadConfig(ctx.cli.env, ctx.cli.appRoot);

/** A setting given in the environment of `nanoclaw setup` (empty counts as not given). */
export function fromEnv(ctx: SetupContext, key: string): string | undefined {
  const value = ctx.cli.env[key];
  return value === undefined || value === '' ? undefined : value;
}

/** Whether the environment gives a value for `key` that the .env does not hold yet. */
export function envDiffers(ctx: SetupContext, key: string): boolean {
  const value = fromEnv(ctx, key);
  return value !== undefined && dotenv(ctx)[key] !== value;
}

/** Writes edits that change something; returns whether any did. */
export function writeSettings(ctx: SetupContext, edits: readonly EnvEdit[]): boolean {
  const current = dotenv(ctx);
  const real = edits.filter((e) => current[e.key] !== e.value);
  editEnvFile(ctx.envFile, real);
  if (real.length > 0) ctx.state.changed = true;
  return real.length > 0;
}

export const done = (detail: string, changed = true): StepOutcome => ({
  status: 'done',
  detail,
  changed,
});
export const failed = (detail: string, fix: string): StepOutcome => ({
  status: 'fail',
  detail,
  fix,
});
export const skipped = (detail: string): StepOutcome => ({ status: 'skip', detail });
