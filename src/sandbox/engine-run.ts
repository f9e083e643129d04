/**
 * Starts a container engine's `run` command (Docker, Podman, Apple Container) as the sandbox
 * process. Killing the client alone would leave the container running in the engine, so an
 * abort also removes the container by name.
 */
import { spawn } from 'node:child_process';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { SandboxProcess } from './runtime.js';

export interface EngineRun {
  cli: string;
  args: string[];
  /** The engine CLI's minimal environment (engineEnv). */
  env: NodeJS.ProcessEnv;
  /** The container's name, for logs. */
  sandbox: string;
  /** Removes the container (force); also covers one the engine is still creating. */
  remove(): Promise<unknown>;
  log: Logger;
}

export function spawnEngineRun(run: EngineRun, signal: AbortSignal): SandboxProcess {
  const { log, sandbox } = run;
  const child = spawn(run.cli, run.args, { stdio: ['pipe', 'pipe', 'pipe'], env: run.env });
  const stop = () => {
    run.remove().catch((error: unknown) => {
      log.warn({ sandbox, err: errorMessage(error) }, 'could not remove container');
    });
    child.kill('SIGKILL');
  };
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  child.on('close', () => signal.removeEventListener('abort', stop));
  child.on('error', (error) => log.warn({ err: errorMessage(error) }, `${run.cli} spawn failed`));
  return child;
}
