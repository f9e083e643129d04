import { describe, expect, it } from 'vitest';
import { buildSandboxSpec, sandboxName, type SandboxPolicyInput } from './policy.js';

const input = (overrides: Partial<SandboxPolicyInput> = {}): SandboxPolicyInput => ({
  runId: 'abc123',
  instance: 'inst1',
  group: { folder: 'family', isMain: false },
  hostPaths: {
    appRoot: '/opt/app',
    nodeBinary: '/usr/bin/node',
    groupDir: '/data/groups/family',
    globalDir: '/data/groups/global',
    claudeHome: '/data/sessions/family',
    gatewayDir: '/data/run/gateway',
  },
  user: { uid: 1000, gid: 1000 },
  limits: { memoryMb: 512, cpus: 1, pids: 128, tmpMb: 64, timeoutMs: 60_000 },
  timezone: 'Europe/Berlin',
  ...overrides,
});

const modes = (spec: ReturnType<typeof buildSandboxSpec>) =>
  Object.fromEntries(spec.mounts.map((m) => [m.sandboxPath, `${m.mode} ${m.hostPath}`]));

describe('sandbox policy', () => {
  it('gives a non-main group its folder rw and everything else ro', () => {
    expect(modes(buildSandboxSpec(input()))).toEqual({
      '/opt/node/bin/node': 'ro /usr/bin/node',
      '/opt/nanoclaw/package.json': 'ro /opt/app/package.json',
      '/opt/nanoclaw/dist': 'ro /opt/app/dist',
      '/opt/nanoclaw/node_modules': 'ro /opt/app/node_modules',
      '/workspace/group': 'rw /data/groups/family',
      '/workspace/global': 'ro /data/groups/global',
      '/home/agent/.claude': 'rw /data/sessions/family',
      '/run/nanoclaw': 'ro /data/run/gateway',
    });
  });

  it('lets only main write the global memory', () => {
    const spec = buildSandboxSpec(input({ group: { folder: 'main', isMain: true } }));
    expect(spec.mounts.find((m) => m.sandboxPath === '/workspace/global')?.mode).toBe('rw');
  });

  it('mounts validated extra mounts under /workspace/extra with their mode', () => {
    const spec = buildSandboxSpec(
      input({ extraMounts: [{ hostPath: '/home/u/notes', name: 'notes', mode: 'ro' }] }),
    );
    expect(modes(spec)['/workspace/extra/notes']).toBe('ro /home/u/notes');
  });

  it('sets a complete environment with no secrets and no host variables', () => {
    const spec = buildSandboxSpec(input());
    expect(Object.keys(spec.env).sort()).toEqual([
      'CLAUDE_CONFIG_DIR',
      'HOME',
      'LANG',
      'NANOCLAW_INSTANCE',
      'NANOCLAW_SANDBOX',
      'PATH',
      'TMPDIR',
      'TZ',
    ]);
    expect(JSON.stringify(spec)).not.toMatch(/API_KEY|TOKEN|SECRET/);
    expect(spec.env.TZ).toBe('Europe/Berlin');
  });

  it('runs the agent runner as the unprivileged user in the group folder', () => {
    const spec = buildSandboxSpec(input());
    expect(spec.user).toEqual({ uid: 1000, gid: 1000 });
    expect(spec.cwd).toBe('/workspace/group');
    expect(spec.command).toEqual(['/opt/node/bin/node', '/opt/nanoclaw/dist/agent/main.js']);
    expect(spec.name).toBe('nanoclaw-family-abc123');
  });

  it('refuses folder names that could escape', () => {
    for (const folder of ['../etc', 'a/b', '', '.hidden', 'global', 'x'.repeat(65)]) {
      expect(() => buildSandboxSpec(input({ group: { folder, isMain: false } }))).toThrow(
        /Invalid group folder/,
      );
    }
  });

  it('keeps names within what container runtimes accept', () => {
    const name = sandboxName('f'.repeat(64), 'r'.repeat(40));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
  });
});
