import { describe, expect, it } from 'vitest';
import { imageBuildArgs, imageBuildEnv, type ImageBuildOptions } from './image.js';

const options = (engine: ImageBuildOptions['engine']): ImageBuildOptions => ({
  engine,
  tag: 'nanoclaw-agent:latest',
  baseImage: 'local/base:bookworm',
  appRoot: '/opt/app',
  nodeBinary: '/usr/bin/node',
});

describe('image build command', () => {
  it('docker and podman build without network from the staged context', () => {
    for (const engine of ['docker', 'podman'] as const) {
      expect(imageBuildArgs(options(engine), '/tmp/ctx')).toEqual([
        'build',
        '-t',
        'nanoclaw-agent:latest',
        '--build-arg',
        'BASE_IMAGE=local/base:bookworm',
        '--network',
        'none',
        '-f',
        '/tmp/ctx/Dockerfile',
        '/tmp/ctx',
      ]);
    }
  });

  it('apple container builds with its own builder (no --network flag)', () => {
    expect(imageBuildArgs(options('container'), '/ctx')).toEqual([
      'build',
      '-t',
      'nanoclaw-agent:latest',
      '--build-arg',
      'BASE_IMAGE=local/base:bookworm',
      '-f',
      '/ctx/Dockerfile',
      '/ctx',
    ]);
  });

  it('uses the legacy docker builder only when buildx is missing, and passes no secrets', () => {
    const env = { PATH: '/usr/bin', DOCKER_HOST: 'unix:///d.sock', ANTHROPIC_API_KEY: 'sk-x' };
    expect(imageBuildEnv('docker', env, false)).toEqual({
      PATH: '/usr/bin',
      DOCKER_HOST: 'unix:///d.sock',
      DOCKER_BUILDKIT: '0',
    });
    expect(imageBuildEnv('docker', env, true)).toEqual({
      PATH: '/usr/bin',
      DOCKER_HOST: 'unix:///d.sock',
    });
    expect(imageBuildEnv('podman', env, false)).not.toHaveProperty('DOCKER_BUILDKIT');
  });
});
