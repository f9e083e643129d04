/**
 * Setup steps about the machine: the environment (Node, OS, git) and the sandbox runtime, which
 * is verified with a real sandbox start (bubblewrap) or the engine and its image (containers);
 * a missing agent image is built, with its output as progress.
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig } from '../config.js';
import { errorMessage } from '../errors.js';
import { buildImage, type ImageEngine } from '../sandbox/image.js';
import { formatCheck } from './check.js';
import { checkGit, checkNode, checkRuntime, checkSandboxAccess } from './checks-env.js';
import { updateSetupRecord } from './record.js';
import {
  done,
  dotenv,
  envDiffers,
  failed,
  fromEnv,
  writeSettings,
  type SetupContext,
  type Step,
  type StepOutcome,
} from './step.js';

export const environmentStep: Step = {
  id: 'environment',
  title: 'Environment (Node.js, operating system, git)',
  done: async () => undefined, // checked every time: cheap, and the machine may have changed
  requested: () => true,
  async run(ctx) {
    const node = checkNode();
    const git = checkGit(ctx.cli.appRoot);
    for (const r of [node, git]) ctx.progress(formatCheck(r).replace(/\n\s*/g, ' '));
    if (node.status === 'fail') return failed(node.detail, node.fix ?? '');
    const system = `${os.type()} ${os.release()} (${process.arch})`;
    return done(
      `Node.js ${process.versions.node}, ${system}, git ${git.status === 'fail' ? 'missing' : 'ok'}`,
    );
  },
};

const RUNTIMES = ['auto', 'bwrap', 'docker', 'podman', 'apple'] as const;

async function chooseRuntime(ctx: SetupContext): Promise<string> {
  const given = ctx.options.runtime ?? fromEnv(ctx, 'NANOCLAW_RUNTIME');
  if (given) return given;
  if (!ctx.ask) return dotenv(ctx).NANOCLAW_RUNTIME ?? 'auto';
  return ctx.ask.choose(
    'Which sandbox runtime? (auto picks bubblewrap on Linux, Apple Container on macOS, else Docker/Podman)',
    RUNTIMES.map((r) => ({ value: r, label: r })),
    'auto',
  );
}

const ENGINE: Record<string, ImageEngine> = {
  docker: 'docker',
  podman: 'podman',
  apple: 'container',
};

async function buildMissingImage(ctx: SetupContext, runtime: string, image: string): Promise<void> {
  const engine = ENGINE[runtime];
  if (!engine) return;
  ctx.progress(`The agent image ${image} is missing: building it with ${engine} (a few minutes)…`);
  await buildImage(
    {
      engine,
      tag: image,
      baseImage: 'debian:bookworm-slim',
      appRoot: ctx.cli.appRoot,
      nodeBinary: fs.realpathSync(process.execPath),
    },
    (line) => ctx.progress(line),
    ctx.signal,
  );
  updateSetupRecord(loadConfig(ctx.cli.env, ctx.cli.appRoot).home, {
    image: { engine, tag: image },
  });
}

export const runtimeStep: Step = {
  id: 'runtime',
  title: 'Sandbox runtime',
  async done(ctx) {
    const set = dotenv(ctx).NANOCLAW_RUNTIME;
    return set && set !== 'auto' ? `NANOCLAW_RUNTIME=${set}` : undefined;
  },
  requested: (ctx) =>
    ctx.options.runtime !== undefined ||
    ctx.options.change.includes('runtime') ||
    envDiffers(ctx, 'NANOCLAW_RUNTIME'),
  async run(ctx): Promise<StepOutcome> {
    const wanted = await chooseRuntime(ctx);
    const env = { ...ctx.cli.env, NANOCLAW_RUNTIME: wanted };
    const config = loadConfig(env, ctx.cli.appRoot);
    ctx.progress(`Starting a test sandbox (${wanted})…`);
    let check = await checkRuntime(config, env);
    if (
      check.result.status === 'fail' &&
      /agent image .* is missing/.test(check.result.detail + (check.result.fix ?? ''))
    ) {
      try {
        await buildMissingImage(ctx, wanted, config.image);
      } catch (error) {
        return failed(
          `building the agent image failed: ${errorMessage(error)}`,
          `nanoclaw image build --engine ${ENGINE[wanted] ?? wanted}, then nanoclaw setup again`,
        );
      }
      check = await checkRuntime(config, env);
    }
    if (check.result.status === 'fail' || !check.runtime) {
      return failed(check.result.detail, check.result.fix ?? 'Install a sandbox runtime.');
    }
    const access = checkSandboxAccess(config, check.runtime);
    if (access.status === 'fail') return failed(access.detail, access.fix ?? '');
    ctx.state.runtime = check.runtime;
    const name = check.runtime.name;
    const changed = writeSettings(ctx, [
      {
        key: 'NANOCLAW_RUNTIME',
        value: name,
        comment: 'Sandbox runtime (auto, bwrap, docker, podman, apple), verified by setup',
      },
    ]);
    return done(`${check.result.detail}; ${access.detail}`, changed);
  },
};
