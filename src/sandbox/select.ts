/**
 * Which sandbox runtime to use. `chooseRuntime` is the pure decision over probe results;
 * `selectRuntime` probes lazily in order (in auto mode a working bwrap means Docker is never
 * asked) and explains its choice in one line. An explicit NANOCLAW_RUNTIME is used or fails:
 * it is never silently swapped for a weaker one.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { createAppleRuntime } from './apple.js';
import { createBwrapRuntime } from './bwrap.js';
import { createContainerRuntime } from './container.js';
import type { RuntimeName, SandboxRuntime } from './runtime.js';

export type Probe = { ok: true } | { ok: false; reason: string };
export type Requested = 'auto' | RuntimeName;

const INSTALL_HINT: Record<RuntimeName, string> = {
  bwrap: 'bwrap: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)',
  docker: 'docker: install and start Docker, then run `nanoclaw image build`',
  podman: 'podman: install Podman, then run `nanoclaw image build --engine podman`',
  apple:
    'apple: install Apple Container (macOS 26+), `container system start`, then `nanoclaw image build --engine container`',
};

/** The runtimes to try, best first. */
export function candidates(requested: Requested, platform: NodeJS.Platform): RuntimeName[] {
  if (requested !== 'auto') return [requested];
  if (platform === 'darwin') return ['apple', 'docker', 'podman'];
  if (platform === 'linux') return ['bwrap', 'docker', 'podman'];
  return ['docker', 'podman'];
}

/**
 * Pure: the first candidate whose probe passed, or an error naming every candidate's reason,
 * what to install, and NANOCLAW_RUNTIME. A candidate without a probe result counts as not tried
 * (selectRuntime stops probing at the first that works).
 */
export function chooseRuntime(
  requested: Requested,
  platform: NodeJS.Platform,
  probes: Partial<Record<RuntimeName, Probe>>,
): { runtime: RuntimeName; why: string } | { error: string } {
  const order = candidates(requested, platform);
  const failed: string[] = [];
  for (const name of order) {
    const probe = probes[name];
    if (!probe) continue;
    if (probe.ok) return { runtime: name, why: explain(requested, platform, name, failed) };
    failed.push(`${name}: ${probe.reason}`);
  }
  const head =
    requested === 'auto'
      ? `No sandbox runtime works on this machine (tried ${order.join(', ')}):`
      : `NANOCLAW_RUNTIME=${requested} does not work here:`;
  const reasons = order.map((name) => {
    const probe = probes[name];
    return `  - ${name}: ${probe && !probe.ok ? probe.reason : 'not checked'}`;
  });
  const fixes = order.map((name) => `  - ${INSTALL_HINT[name]}`);
  const choose =
    requested === 'auto'
      ? 'NanoClaw picks the first that works; set NANOCLAW_RUNTIME to insist on one.'
      : 'Or set NANOCLAW_RUNTIME=auto (or another runtime) to use one that works.';
  return { error: [head, ...reasons, 'To fix it:', ...fixes, choose].join('\n') };
}

function explain(
  requested: Requested,
  platform: NodeJS.Platform,
  name: RuntimeName,
  failed: readonly string[],
): string {
  if (requested !== 'auto') return `NANOCLAW_RUNTIME=${name}`;
  if (failed.length === 0) return `it is the first choice on ${platform} and it works`;
  return `it is the first that works on ${platform}; ${failed.join('; ')}`;
}

export interface SelectDeps {
  log: Logger;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /** Builds a runtime by name (default: the real adapters). */
  create?: (name: RuntimeName) => SandboxRuntime;
}

export function createRuntime(
  name: RuntimeName,
  config: Config,
  log: Logger,
  env: NodeJS.ProcessEnv,
): SandboxRuntime {
  const runtimeLog = log.child({ component: 'sandbox', runtime: name });
  if (name === 'bwrap') return createBwrapRuntime(runtimeLog, { user: config.sandboxUser });
  if (name === 'apple') return createAppleRuntime(config.image, env, runtimeLog);
  return createContainerRuntime(name, config.image, env, runtimeLog);
}

/** Probes candidates in order until one works; throws a UserError naming every failure. */
export async function selectRuntime(
  config: Config,
  deps: SelectDeps,
): Promise<{ runtime: SandboxRuntime; message: string }> {
  const env = deps.env ?? process.env;
  const create = deps.create ?? ((name) => createRuntime(name, config, deps.log, env));
  const platform = deps.platform ?? process.platform;
  const probes: Partial<Record<RuntimeName, Probe>> = {};
  for (const name of candidates(config.runtime, platform)) {
    const runtime = create(name);
    probes[name] = await runtime.probe();
    const choice = chooseRuntime(config.runtime, platform, probes);
    if ('runtime' in choice) {
      return { runtime, message: `using ${choice.runtime} (because ${choice.why})` };
    }
  }
  const choice = chooseRuntime(config.runtime, platform, probes);
  throw new UserError('error' in choice ? choice.error : 'No sandbox runtime selected.');
}
