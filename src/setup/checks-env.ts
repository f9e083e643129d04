/**
 * Checks of the machine: Node.js, git, the sandbox runtime (a real sandbox start), the sandbox
 * uid's access to what it is given, and the agent image for container runtimes. The verdicts
 * (nodeVerdict, gitVerdict) are pure; the rest is thin I/O around the host's own runtime code.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import type { Config } from '../config.js';
import { errorMessage } from '../errors.js';
import { sandboxReachPaths } from '../host.js';
import { silentLogger } from '../log.js';
import { engineEnv } from '../sandbox/container-args.js';
import type { SandboxRuntime } from '../sandbox/runtime.js';
import { selectRuntime } from '../sandbox/select.js';
import { fail, pass, skip, warn, type CheckResult } from './check.js';

const exec = promisify(execFile);

/** Node majors NanoClaw is tested on (as scripts/prepare.mjs); 20 is past its end of life. */
export const TESTED_NODE = [20, 22, 24] as const;

const NODE_FIX =
  'Install Node.js 24 (https://nodejs.org, or `nvm install 24`), then run `npm start` once: it ' +
  'rebuilds the native SQLite module for that Node.';

/** Pure: the verdict on a Node version string such as "24.1.0". */
export function nodeVerdict(version: string): CheckResult {
  const title = 'Node.js';
  const major = Number(version.split('.')[0]);
  if (major < 20) return fail('node', title, `${version} is too old`, NODE_FIX);
  if (major === 20) return warn('node', title, `${version} reached its end of life`, NODE_FIX);
  if (major > 24 || TESTED_NODE.some((m) => m === major)) return pass('node', title, version);
  return warn('node', title, `${version} is not a tested version (20, 22, 24)`, NODE_FIX);
}

/** Pure: git is needed for skills (each is a commit) and `/update`. */
export function gitVerdict(version: string | undefined, isCheckout: boolean): CheckResult {
  const title = 'git';
  if (!version) {
    return fail(
      'git',
      title,
      'not installed',
      'Install git (Debian/Ubuntu: apt-get install git; macOS: xcode-select --install).',
    );
  }
  if (!isCheckout) {
    return warn(
      'git',
      title,
      `${version}, but NanoClaw is not a git checkout`,
      'Skills are applied as git commits: use a `git clone` of NanoClaw to add them.',
    );
  }
  return pass('git', title, version);
}

export function checkNode(): CheckResult {
  return nodeVerdict(process.versions.node);
}

export function checkGit(appRoot: string): CheckResult {
  const version = spawnSync('git', ['--version'], { encoding: 'utf8' });
  const found = version.status === 0 ? version.stdout.trim().replace(/^git version /, '') : '';
  const inside = spawnSync('git', ['-C', appRoot, 'rev-parse', '--is-inside-work-tree'], {
    encoding: 'utf8',
  });
  return gitVerdict(found || undefined, inside.stdout.trim() === 'true');
}

export type RuntimeCheck = { result: CheckResult; runtime?: SandboxRuntime };

/**
 * The runtime NanoClaw would use, chosen exactly as `nanoclaw start` does. bubblewrap's probe
 * starts a real sandbox with every isolation flag; a container runtime's asks the engine.
 */
export async function checkRuntime(config: Config, env: NodeJS.ProcessEnv): Promise<RuntimeCheck> {
  const title = 'Sandbox runtime';
  try {
    const selected = await selectRuntime(config, { log: silentLogger(), env });
    const how = selected.runtime.name === 'bwrap' ? '; a test sandbox started' : '';
    return {
      result: pass('runtime', title, `${selected.message}${how}`),
      runtime: selected.runtime,
    };
  } catch (error) {
    const [head, ...rest] = errorMessage(error).split('\n');
    return { result: fail('runtime', title, head ?? 'none works', rest.join('\n')) };
  }
}

/** Whether the sandbox uid can pass through to the app, Node and the group folders. */
export function checkSandboxAccess(
  config: Config,
  runtime: SandboxRuntime | undefined,
): CheckResult {
  const title = 'Sandbox user access';
  const { uid } = config.sandboxUser;
  if (!runtime) return skip('access', title, 'no working runtime to check with');
  if (!runtime.unreachable) return pass('access', title, `${runtime.name} mounts as the engine`);
  const existing = sandboxReachPaths(config).filter((p) => fs.existsSync(p));
  const blocked = runtime.unreachable(existing, config.sandboxUser);
  if (!blocked) return pass('access', title, `uid ${uid} reaches the app, Node and group folders`);
  return fail(
    'access',
    title,
    `uid ${uid} cannot reach ${blocked}`,
    'Keep NanoClaw, NANOCLAW_HOME and Node.js where that user may pass through (e.g. /opt/nanoclaw ' +
      `and /var/lib/nanoclaw rather than under /root), or grant traversal: chmod o+x on each ` +
      `parent folder of ${blocked}.`,
  );
}

/** Container runtimes run the agent image; bubblewrap uses the host's files and needs none. */
export async function checkImage(
  config: Config,
  env: NodeJS.ProcessEnv,
  runtime: SandboxRuntime | undefined,
): Promise<CheckResult> {
  const title = 'Agent image';
  const name = runtime?.name ?? (config.runtime === 'auto' ? undefined : config.runtime);
  if (!name || name === 'bwrap') return skip('image', title, 'bubblewrap needs no image');
  const cli = name === 'apple' ? 'container' : name;
  try {
    await exec(cli, ['image', 'inspect', config.image], { env: engineEnv(env), timeout: 30_000 });
    return pass('image', title, `${config.image} is in ${cli}`);
  } catch (error) {
    const engine = name === 'apple' ? 'container' : name;
    return fail(
      'image',
      title,
      `${config.image} is missing in ${cli} (${errorMessage(error).split('\n')[0]})`,
      `nanoclaw image build --engine ${engine}`,
    );
  }
}
