/**
 * The few typed errors NanoClaw throws. Each carries context and a `cause`; they are caught only
 * at message, job, request and command boundaries. `UserError`s are shown to the user as-is
 * (what was wrong, what to do), never with a stack trace.
 */

export class NanoClawError extends Error {
  constructor(
    message: string,
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input or setup the user can fix; the message says how. */
export class UserError extends NanoClawError {}

/** Invalid configuration (env, .env, config files). */
export class ConfigError extends UserError {}

/** A sandbox could not start or died; carries the exit code and the tail of stderr. */
export class SandboxError extends NanoClawError {}

/** The agent runner broke the protocol or reported a failure. */
export class AgentRunError extends NanoClawError {
  constructor(
    message: string,
    readonly retryable: boolean,
    context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, context, options);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An authenticated caller asked for something its group may not do (HTTP 403). */
export class ForbiddenError extends UserError {}
