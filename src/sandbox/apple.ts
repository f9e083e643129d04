/**
 * The Apple Container runtime (macOS): runs the pure command lines of apple-args.ts through the
 * `container` CLI with a minimal environment. See apple-args.ts for what this runtime cannot
 * isolate (no `--network none`). It cannot run on Linux; only its command lines are tested.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SandboxError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { appleInstanceContainers, appleRunArgs } from './apple-args.js';
import { engineEnv } from './container-args.js';
import { spawnEngineRun } from './engine-run.js';
import type { SandboxProcess, SandboxRuntime } from './runtime.js';
import type { SandboxSpec } from './spec.js';

const run = promisify(execFile);
const CLI = 'container';

export function createAppleRuntime(
  image: string,
  env: NodeJS.ProcessEnv,
  log: Logger,
): SandboxRuntime {
  const childEnv = engineEnv(env);
  const exec = (args: string[]) => run(CLI, args, { env: childEnv, timeout: 30_000 });
  return {
    name: 'apple',
    spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess {
      const remove = () => exec(['delete', '--force', spec.name]);
      const args = appleRunArgs(spec, image);
      return spawnEngineRun(
        { cli: CLI, args, env: childEnv, sandbox: spec.name, remove, log },
        signal,
      );
    },
    async probe() {
      try {
        await exec(['system', 'status']);
      } catch (error) {
        return {
          ok: false,
          reason: `Apple Container is not installed or not started (${errorMessage(error).split('\n')[0]}); install it (macOS 26+, Apple silicon) and run \`container system start\``,
        };
      }
      try {
        await exec(['image', 'inspect', image]);
      } catch (error) {
        log.debug({ err: errorMessage(error) }, 'agent image missing');
        return {
          ok: false,
          reason: `the agent image ${image} is missing: run \`nanoclaw image build --engine container\``,
        };
      }
      return { ok: true };
    },
    async cleanupOrphans(instance: string) {
      const { stdout } = await exec(['list', '--all', '--format', 'json']);
      let ids: string[];
      try {
        ids = appleInstanceContainers(stdout, instance);
      } catch (error) {
        throw new SandboxError(
          'Unexpected `container list` output',
          { instance },
          { cause: error },
        );
      }
      if (ids.length > 0) await exec(['delete', '--force', ...ids]);
      return ids.length;
    },
  };
}
