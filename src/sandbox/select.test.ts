import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { silentLogger } from '../log.js';
import type { RuntimeName, SandboxRuntime } from './runtime.js';
import { candidates, chooseRuntime, selectRuntime, type Probe } from './select.js';

const NAMES: RuntimeName[] = ['bwrap', 'docker', 'podman', 'apple'];
const fail = (name: string): Probe => ({ ok: false, reason: `${name} missing` });
const ok: Probe = { ok: true };

describe('runtime candidates', () => {
  it('auto order per platform; an explicit choice is the only candidate', () => {
    expect(candidates('auto', 'linux')).toEqual(['bwrap', 'docker', 'podman']);
    expect(candidates('auto', 'darwin')).toEqual(['apple', 'docker', 'podman']);
    expect(candidates('auto', 'win32')).toEqual(['docker', 'podman']);
    for (const name of NAMES) expect(candidates(name, 'linux')).toEqual([name]);
  });
});

describe('chooseRuntime (pure)', () => {
  it('auto on Linux takes bwrap when it works, whatever the others say', () => {
    const choice = chooseRuntime('auto', 'linux', { bwrap: ok, docker: ok, podman: ok });
    expect(choice).toEqual({
      runtime: 'bwrap',
      why: 'it is the first choice on linux and it works',
    });
  });

  it('falls back in order and says why the better ones were skipped', () => {
    const linux = chooseRuntime('auto', 'linux', {
      bwrap: fail('bwrap'),
      docker: fail('docker'),
      podman: ok,
    });
    expect(linux).toMatchObject({ runtime: 'podman' });
    expect('why' in linux && linux.why).toContain('bwrap: bwrap missing; docker: docker missing');
    expect(
      chooseRuntime('auto', 'darwin', { apple: fail('apple'), docker: ok, podman: ok }),
    ).toMatchObject({ runtime: 'docker' });
    expect(chooseRuntime('auto', 'darwin', { apple: ok, docker: ok })).toMatchObject({
      runtime: 'apple',
    });
  });

  it('never picks a runtime outside the platform order (apple on Linux, bwrap on macOS)', () => {
    expect('error' in chooseRuntime('auto', 'linux', { apple: ok })).toBe(true);
    expect('error' in chooseRuntime('auto', 'darwin', { bwrap: ok })).toBe(true);
  });

  it('uses an explicit choice or fails; it is never swapped for another', () => {
    for (const name of NAMES) {
      expect(chooseRuntime(name, 'linux', { [name]: ok })).toEqual({
        runtime: name,
        why: `NANOCLAW_RUNTIME=${name}`,
      });
      const others = Object.fromEntries(NAMES.filter((n) => n !== name).map((n) => [n, ok]));
      const choice = chooseRuntime(name, 'linux', { ...others, [name]: fail(name) });
      expect('error' in choice && choice.error).toMatch(
        new RegExp(`NANOCLAW_RUNTIME=${name} does not work here`),
      );
      expect('error' in choice && choice.error).toContain(`${name} missing`);
    }
  });

  it('names every reason, what to install, and NANOCLAW_RUNTIME when nothing works', () => {
    const choice = chooseRuntime('auto', 'linux', {
      bwrap: fail('bwrap'),
      docker: fail('docker'),
      podman: fail('podman'),
    });
    if (!('error' in choice)) throw new Error('expected an error');
    expect(choice.error).toContain('  - bwrap: bwrap missing');
    expect(choice.error).toContain('  - docker: docker missing');
    expect(choice.error).toContain('  - podman: podman missing');
    expect(choice.error).toContain('apt-get install bubblewrap');
    expect(choice.error).toContain('nanoclaw image build');
    expect(choice.error).toContain('NANOCLAW_RUNTIME');
    expect(choice.error).not.toContain('apple');
  });

  it('reports unprobed candidates as not checked', () => {
    const choice = chooseRuntime('auto', 'darwin', { apple: fail('apple') });
    expect('error' in choice && choice.error).toContain('  - docker: not checked');
  });
});

describe('selectRuntime', () => {
  const config = loadConfig({ NANOCLAW_HOME: '/nonexistent-nanoclaw-home' }, process.cwd());
  const fake = (name: RuntimeName, probe: Probe, asked: RuntimeName[]): SandboxRuntime => ({
    name,
    spawn: () => {
      throw new Error('not used');
    },
    probe: async () => {
      asked.push(name);
      return probe;
    },
    cleanupOrphans: async () => 0,
  });

  it('does not probe Docker when bwrap works in auto mode', async () => {
    const asked: RuntimeName[] = [];
    const results: Partial<Record<RuntimeName, Probe>> = { bwrap: ok, docker: ok };
    const selected = await selectRuntime(config, {
      log: silentLogger(),
      platform: 'linux',
      create: (name) => fake(name, results[name] ?? fail(name), asked),
    });
    expect(asked).toEqual(['bwrap']);
    expect(selected.runtime.name).toBe('bwrap');
    expect(selected.message).toBe(
      'using bwrap (because it is the first choice on linux and it works)',
    );
  });

  it('probes down the list and throws a UserError naming every reason', async () => {
    const asked: RuntimeName[] = [];
    const fallback = await selectRuntime(config, {
      log: silentLogger(),
      platform: 'linux',
      create: (name) => fake(name, name === 'podman' ? ok : fail(name), asked),
    });
    expect(asked).toEqual(['bwrap', 'docker', 'podman']);
    expect(fallback.message).toMatch(/^using podman \(because .*bwrap missing/);
    await expect(
      selectRuntime(config, {
        log: silentLogger(),
        platform: 'linux',
        create: (name) => fake(name, fail(name), []),
      }),
    ).rejects.toThrow(/No sandbox runtime works on this machine/);
  });
});
