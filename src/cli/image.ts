/** `nanoclaw image build`: builds the agent image for container runtimes, with visible progress. */
import fs from 'node:fs';
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { buildImage } from '../sandbox/image.js';
import { parse, subcommand } from './args.js';
import type { CliContext } from './index.js';

export const USAGE =
  'nanoclaw image build [--engine docker|podman|container] [--base <image>] [--tag <image>]';
const ENGINES = ['docker', 'podman', 'container'] as const;

export async function imageCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  subcommand(sub, ['build'], USAGE);
  const { values } = parse(
    rest,
    {
      engine: { type: 'string', default: 'docker' },
      base: { type: 'string', default: 'debian:bookworm-slim' },
      tag: { type: 'string' },
    },
    USAGE,
  );
  const engine = ENGINES.find((e) => e === values.engine);
  if (!engine) throw new UserError(`Unknown engine "${values.engine}". Usage: ${USAGE}`);
  const config = loadConfig(ctx.env, ctx.appRoot);
  if (!fs.existsSync(`${ctx.appRoot}/dist/agent/main.js`)) {
    throw new UserError(
      'NanoClaw is not built: run `npm start` once (it installs the dependencies and builds).',
    );
  }
  const tag = values.tag ?? config.image;
  await buildImage(
    {
      engine,
      tag,
      baseImage: values.base,
      appRoot: ctx.appRoot,
      nodeBinary: fs.realpathSync(process.execPath),
    },
    (line) => ctx.stdout.write(`${line}\n`),
    AbortSignal.timeout(30 * 60_000),
  );
  ctx.stdout.write(
    `Built ${tag}. Use it with NANOCLAW_RUNTIME=${engine === 'container' ? 'apple' : engine}.\n`,
  );
  return 0;
}
