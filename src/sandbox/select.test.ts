import { describe, expect, it } from 'vitest';
import { isOurSandbox } from './orphans.js';
import { autoOrder, chooseRuntime, type Probe } from './select.js';
import type { RuntimeName } from './runtime.js';

const probes =
  (results: Partial<Record<RuntimeName, Probe>>, asked: RuntimeName[] = []) =>
  async (name: RuntimeName): Promise<Probe> => {
    asked.push(name);
    return results[name] ?? { ok: false, reason: `${name} missing` };
  };

describe('runtime selection', () => {
  it('auto on Linux prefers bwrap and does not probe Docker when bwrap works', async () => {
    const asked: RuntimeName[] = [];
    const choice = await chooseRuntime('auto', 'linux', probes({ bwrap: { ok: true } }, asked));
    expect(choice).toEqual({ runtime: 'bwrap', why: 'the first working runtime' });
    expect(asked).toEqual(['bwrap']);
  });

  it('falls back in order', async () => {
    expect(await chooseRuntime('auto', 'linux', probes({ podman: { ok: true } }))).toMatchObject({
      runtime: 'podman',
    });
    expect(await chooseRuntime('auto', 'darwin', probes({ docker: { ok: true } }))).toMatchObject({
      runtime: 'docker',
    });
    expect(autoOrder('darwin')[0]).toBe('apple');
  });

  it('an explicit choice is used or fails, never swapped for another', async () => {
    const choice = await chooseRuntime('docker', 'linux', probes({ bwrap: { ok: true } }));
    expect('error' in choice && choice.error).toMatch(/NANOCLAW_RUNTIME=docker does not work here/);
  });

  it('names every reason and what to install when nothing works', async () => {
    const choice = await chooseRuntime('auto', 'linux', probes({}));
    expect('error' in choice).toBe(true);
    if (!('error' in choice)) return;
    expect(choice.error).toContain('bwrap: bwrap missing');
    expect(choice.error).toContain('docker: docker missing');
    expect(choice.error).toContain('apt-get install bubblewrap');
    expect(choice.error).toContain('NANOCLAW_RUNTIME');
  });
});

describe('orphan recognition', () => {
  const cmd = (...argv: string[]) => argv.join('\0');
  it('matches only bwrap processes of this instance', () => {
    expect(
      isOurSandbox(cmd('bwrap', '--setenv', 'NANOCLAW_INSTANCE', 'abc', '--', 'node'), 'abc'),
    ).toBe(true);
    expect(isOurSandbox(cmd('/usr/bin/bwrap', '--setenv', 'NANOCLAW_INSTANCE', 'abc'), 'abc')).toBe(
      true,
    );
    expect(isOurSandbox(cmd('bwrap', '--setenv', 'NANOCLAW_INSTANCE', 'other'), 'abc')).toBe(false);
    expect(isOurSandbox(cmd('node', '--setenv', 'NANOCLAW_INSTANCE', 'abc'), 'abc')).toBe(false);
    expect(isOurSandbox(cmd('bwrap', 'NANOCLAW_INSTANCE', 'abc'), 'abc')).toBe(false);
  });
});
