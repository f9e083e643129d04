/**
 * Builds the agent image for Docker/Podman/Apple Container from a staged context: the host's
 * node binary and the installed app (dist/, node_modules/, package.json), so the build needs no
 * network; the base image is overridable (e.g. a local debootstrap import).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { engineEnv } from './container.js';

export interface ImageBuildOptions {
  engine: 'docker' | 'podman' | 'container';
  tag: string;
  baseImage: string;
  appRoot: string;
  nodeBinary: string;
}

/** The build command line (pure). */
export function imageBuildArgs(options: ImageBuildOptions, context: string): string[] {
  const args = ['build', '-t', options.tag, '--build-arg', `BASE_IMAGE=${options.baseImage}`];
  // Podman would otherwise create a bridge network and iptables rules just to build.
  if (options.engine === 'podman') args.push('--network', 'none');
  args.push('-f', path.join(context, 'Dockerfile'), context);
  return args;
}

function stage(options: ImageBuildOptions): string {
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-image-'));
  fs.copyFileSync(
    path.join(options.appRoot, 'container', 'Dockerfile'),
    path.join(context, 'Dockerfile'),
  );
  fs.copyFileSync(options.nodeBinary, path.join(context, 'node'));
  const app = path.join(context, 'app');
  fs.mkdirSync(app);
  fs.copyFileSync(path.join(options.appRoot, 'package.json'), path.join(app, 'package.json'));
  fs.cpSync(path.join(options.appRoot, 'dist'), path.join(app, 'dist'), { recursive: true });
  fs.cpSync(path.join(options.appRoot, 'node_modules'), path.join(app, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  return context;
}

export async function buildImage(
  options: ImageBuildOptions,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  onLine('Staging the build context (node, dist/, node_modules/)…');
  const context = stage(options);
  try {
    const env = engineEnv(process.env);
    if (options.engine === 'docker') env.DOCKER_BUILDKIT ??= '0';
    const args = imageBuildArgs(options, context);
    onLine(`$ ${options.engine} ${args.join(' ')}`);
    const child = spawn(options.engine, args, { env, signal, stdio: ['ignore', 'pipe', 'pipe'] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) onLine(line);
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (code !== 0) {
      throw new UserError(
        `${options.engine} build failed (exit ${code}); see its output above. Is the ` +
          `${options.engine} daemon running, and can it reach the base image ${options.baseImage}?`,
      );
    }
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
}
