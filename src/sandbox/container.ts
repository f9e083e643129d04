/**
 * Docker, Podman and Apple Container runtimes: thin wrappers that run the pure command lines.
 * The engine CLI gets a minimal environment (never the host's secrets).
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import {
  appleRunArgs,
  containerOrphanListArgs,
  containerRunArgs,
  type Engine,
} from './container-args.js';
import type { RuntimeName, SandboxProcess, SandboxRuntime } from './runtime.js';
import type { SandboxSpec } from './spec.js';

const run = promisify(execFile);

/** Only what an engine CLI needs to find its daemon and config. */
export function engineEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const keep = [
    'PATH',
    'HOME',
    'DOCKER_HOST',
    'DOCKER_CONFIG',
    'DOCKER_CONTEXT',
    'XDG_RUNTIME_DIR',
    'CONTAINER_HOST',
    'CONTAINERS_CONF',
  ];
  const out: Record<string, string> = {};
  for (const key of keep) if (env[key]) out[key] = env[key] as string;
  return out;
}

export function createContainerRuntime(
  engine: Engine | 'apple',
  image: string,
  env: NodeJS.ProcessEnv,
  log: Logger,
): SandboxRuntime {
  const cli = engine === 'apple' ? 'container' : engine;
  const childEnv = engineEnv(env);
  const exec = (args: string[]) => run(cli, args, { env: childEnv, timeout: 30_000 });
  return {
    name: engine as RuntimeName,
    spawn(spec: SandboxSpec, signal: AbortSignal): SandboxProcess {
      const args =
        engine === 'apple' ? appleRunArgs(spec, image) : containerRunArgs(engine, spec, image);
      const child = spawn(cli, args, { stdio: ['pipe', 'pipe', 'pipe'], env: childEnv });
      // Killing the client does not stop the container: remove it by name.
      const stop = () => {
        exec(['rm', '-f', spec.name]).catch((error: unknown) => {
          log.warn({ sandbox: spec.name, err: errorMessage(error) }, 'could not remove container');
        });
        child.kill('SIGKILL');
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      child.on('close', () => signal.removeEventListener('abort', stop));
      return child;
    },
    async probe() {
      try {
        await exec(
          engine === 'apple' ? ['system', 'status'] : ['info', '--format', '{{.ServerVersion}}'],
        );
      } catch (error) {
        return {
          ok: false,
          reason: `${cli} is not installed or its daemon is not reachable (${errorMessage(error).split('\n')[0]})`,
        };
      }
      try {
        await exec(['image', 'inspect', image]);
      } catch {
        return {
          ok: false,
          reason: `the agent image ${image} is missing: run \`nanoclaw image build --engine ${cli}\``,
        };
      }
      return { ok: true };
    },
    async cleanupOrphans(instance: string) {
      if (engine === 'apple') return 0;
      const { stdout } = await exec(containerOrphanListArgs(instance));
      const ids = stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await exec(['rm', '-f', ...ids]);
      return ids.length;
    },
  };
}
