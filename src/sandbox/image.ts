/**
 * Builds the agent image for Docker / Podman / Apple Container from a staged context: the host's
 * node binary and the installed app (dist/, node_modules/, package.json), so the build needs no
 * registry beyond the base image, which can be a local one (e.g. a debootstrap import). The
 * engine CLI gets the same minimal environment as at run time: no host secrets in the build.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { UserError, errorMessage } from '../errors.js';
import { engineEnv } from './container-args.js';

export type ImageEngine = 'docker' | 'podman' | 'container';

export interface ImageBuildOptions {
  engine: ImageEngine;
  tag: string;
  baseImage: string;
  appRoot: string;
  nodeBinary: string;
}

/** The build command line (pure). */
export function imageBuildArgs(options: ImageBuildOptions, context: string): string[] {
  const args = ['build', '-t', options.tag, '--build-arg', `BASE_IMAGE=${options.baseImage}`];
  // Build steps need no network; podman would otherwise create a bridge and iptables rules.
  if (options.engine !== 'container') args.push('--network', 'none');
  args.push('-f', path.join(context, 'Dockerfile'), context);
  return args;
}

/** The engine CLI's environment (pure): Docker without buildx needs the legacy builder. */
export function imageBuildEnv(
  engine: ImageEngine,
  env: NodeJS.ProcessEnv,
  hasBuildx: boolean,
): Record<string, string> {
  const out = engineEnv(env);
  if (engine === 'docker' && !hasBuildx) out.DOCKER_BUILDKIT = '0';
  return out;
}

function run(command: string, args: string[], signal: AbortSignal): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', signal });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

/** Hardlinks a tree when source and target share a filesystem (node_modules is ~450 MB). */
async function linkOrCopy(
  from: string,
  to: string,
  signal: AbortSignal,
): Promise<'linked' | 'copied'> {
  try {
    if ((await run('cp', ['-al', from, to], signal)) === 0) return 'linked';
  } catch (error) {
    if (signal.aborted) throw error;
  }
  fs.rmSync(to, { recursive: true, force: true });
  await fs.promises.cp(from, to, { recursive: true, verbatimSymlinks: true });
  return 'copied';
}

/** A staging dir on the app's filesystem when possible, so hardlinks work. */
function stagingParent(appRoot: string): string {
  const tmp = os.tmpdir();
  if (fs.statSync(tmp).dev === fs.statSync(appRoot).dev) return tmp;
  try {
    fs.accessSync(appRoot, fs.constants.W_OK);
    return appRoot;
  } catch {
    return tmp;
  }
}

async function stage(
  options: ImageBuildOptions,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<string> {
  const context = fs.mkdtempSync(path.join(stagingParent(options.appRoot), '.nanoclaw-image-'));
  const app = path.join(context, 'app');
  fs.mkdirSync(app);
  fs.copyFileSync(
    path.join(options.appRoot, 'container', 'Dockerfile'),
    path.join(context, 'Dockerfile'),
  );
  fs.copyFileSync(options.nodeBinary, path.join(context, 'node'));
  fs.copyFileSync(path.join(options.appRoot, 'package.json'), path.join(app, 'package.json'));
  fs.cpSync(path.join(options.appRoot, 'dist'), path.join(app, 'dist'), { recursive: true });
  const how = await linkOrCopy(
    path.join(options.appRoot, 'node_modules'),
    path.join(app, 'node_modules'),
    signal,
  );
  onLine(`Staged the build context in ${context} (node_modules ${how}).`);
  return context;
}

function hasBuildx(env: Record<string, string>): boolean {
  return spawnSync('docker', ['buildx', 'version'], { env, stdio: 'ignore' }).status === 0;
}

export async function buildImage(
  options: ImageBuildOptions,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  onLine('Staging the build context (node, dist/, node_modules/)…');
  const context = await stage(options, onLine, signal);
  try {
    const base = engineEnv(process.env);
    const env = imageBuildEnv(
      options.engine,
      process.env,
      options.engine === 'docker' && hasBuildx(base),
    );
    const args = imageBuildArgs(options, context);
    onLine(`$ ${options.engine} ${args.join(' ')}`);
    const child = spawn(options.engine, args, { env, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        if (line.trim()) onLine(line);
      });
    }
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new UserError(
        `${options.engine} build failed (exit ${code}); see its output above. Is ${options.engine} ` +
          `running, and is the base image ${options.baseImage} available locally or pullable?`,
      );
    }
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UserError(
      `Could not run ${options.engine}: ${errorMessage(error)}`,
      {},
      { cause: error },
    );
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
}
