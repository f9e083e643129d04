/**
 * Docker and Podman runtimes: thin wrappers that run the pure command lines of
 * container-args.ts. Trust boundary: the engine CLI gets a minimal environment (never the host's
 * secrets), and a run that is aborted is removed by name, since killing the client alone would
 * leave the container running in the daemon.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import {
  containerOrphanListArgs,
  containerRemoveArgs,
  containerRunArgs,
  engineEnv,
  type Engine,
} from './container-args.js';
import { spawnEngineRun } from './engine-run.js';
import type { SandboxProcess, SandboxRuntime } from './runtime.js';
import type { SandboxSpec } from './spec.js';

const run = promisify(execFile);

export { engineEnv };

export function createContainerRuntime(
  engine: Engine,
  image: string,
  env: NodeJS.ProcessEnv,
  log: Logger,
): SandboxRuntime {
  const childEnv = engineEnv(env);
  const exec = (args: string[]) => run(engine, args, { env: childEnv, timeout: 30_000 });
  return {
    name: engine,
    spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess {
      const remove = () => exec(containerRemoveArgs([spec.name]));
      const args = containerRunArgs(engine, spec, image);
      return spawnEngineRun(
        { cli: engine, args, env: childEnv, sandbox: spec.name, remove, log },
        signal,
      );
    },
    async probe() {
      try {
        await exec(['info', '--format', '{{.ServerVersion}}']);
      } catch (error) {
        const first = errorMessage(error).split('\n')[0];
        return {
          ok: false,
          reason: `${engine} is not installed or its daemon is not reachable (${first}); install and start ${engine}, or set DOCKER_HOST/CONTAINER_HOST`,
        };
      }
      try {
        await exec(['image', 'inspect', '--format', '{{.Id}}', image]);
      } catch (error) {
        log.debug({ err: errorMessage(error) }, 'agent image missing');
        return {
          ok: false,
          reason: `the agent image ${image} is missing: run \`nanoclaw image build --engine ${engine}\``,
        };
      }
      return { ok: true };
    },
    async cleanupOrphans(instance: string) {
      const { stdout } = await exec(containerOrphanListArgs(instance));
      const ids = stdout
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      if (ids.length > 0) await exec(containerRemoveArgs(ids));
      return ids.length;
    },
  };
}
