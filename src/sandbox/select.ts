/**
 * Which sandbox runtime to use. `chooseRuntime` is the pure decision; `selectRuntime` probes
 * lazily (in auto mode a working bwrap means Docker is never asked) and explains its choice.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import { createBwrapRuntime } from './bwrap.js';
import { createContainerRuntime } from './container.js';
import type { RuntimeName, SandboxRuntime } from './runtime.js';

export type Probe = { ok: true } | { ok: false; reason: string };

const INSTALL_HINT: Record<RuntimeName, string> = {
  bwrap: 'install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap)',
  docker: 'install Docker and run `nanoclaw image build`',
  podman: 'install Podman and run `nanoclaw image build --engine podman`',
  apple: 'install Apple Container (macOS 26+) and run `nanoclaw image build --engine container`',
};

export function autoOrder(platform: NodeJS.Platform): RuntimeName[] {
  if (platform === 'darwin') return ['apple', 'docker', 'podman'];
  if (platform === 'linux') return ['bwrap', 'docker', 'podman'];
  return ['docker', 'podman'];
}

/** Pure: the first runtime in order whose probe passed, or an error naming every reason. */
export async function chooseRuntime(
  requested: Config['runtime'],
  platform: NodeJS.Platform,
  probe: (name: RuntimeName) => Promise<Probe>,
): Promise<{ runtime: RuntimeName; why: string } | { error: string }> {
  const order = requested === 'auto' ? autoOrder(platform) : [requested];
  const reasons: string[] = [];
  for (const name of order) {
    const result = await probe(name);
    if (result.ok) {
      const why = requested === 'auto' ? 'the first working runtime' : 'NANOCLAW_RUNTIME';
      return { runtime: name, why };
    }
    reasons.push(`  - ${name}: ${result.reason}`);
  }
  const fixes = order.map((name) => `  - ${INSTALL_HINT[name]}`).join('\n');
  const head =
    requested === 'auto'
      ? 'No sandbox runtime works on this machine:'
      : `NANOCLAW_RUNTIME=${requested} does not work here:`;
  return {
    error: `${head}\n${reasons.join('\n')}\nTo fix it:\n${fixes}\n(or set NANOCLAW_RUNTIME to one that works)`,
  };
}

export function createRuntime(name: RuntimeName, config: Config, log: Logger): SandboxRuntime {
  const runtimeLog = log.child({ component: 'sandbox', runtime: name });
  if (name === 'bwrap') return createBwrapRuntime(runtimeLog);
  return createContainerRuntime(name, config.image, process.env, runtimeLog);
}

export async function selectRuntime(
  config: Config,
  deps: { log: Logger },
): Promise<{ runtime: SandboxRuntime; message: string }> {
  const made = new Map<RuntimeName, SandboxRuntime>();
  const get = (name: RuntimeName) => {
    const runtime = made.get(name) ?? createRuntime(name, config, deps.log);
    made.set(name, runtime);
    return runtime;
  };
  const choice = await chooseRuntime(config.runtime, process.platform, (name) => get(name).probe());
  if ('error' in choice) throw new UserError(choice.error);
  return {
    runtime: get(choice.runtime),
    message: `sandbox runtime: ${choice.runtime} (${choice.why})`,
  };
}
