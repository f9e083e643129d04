import { describe, expect, it } from 'vitest';
import { SECRET_KEYS } from '../config.js';
import { buildSandboxSpec, sandboxName, type SandboxPolicyInput } from './policy.js';
import type { SandboxSpec } from './spec.js';

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
    coverDir: '/data/run/cover',
  },
  user: { uid: 1000, gid: 1000 },
  limits: {
    memoryMb: 512,
    cpus: 1,
    pids: 128,
    tmpMb: 64,
    outputMb: 64,
    diskMb: 1024,
    diskScanEntries: 200_000,
    timeoutMs: 60_000,
  },
  timezone: 'Europe/Berlin',
  ...overrides,
});

const modes = (spec: SandboxSpec) =>
  Object.fromEntries(spec.mounts.map((m) => [m.sandboxPath, `${m.mode} ${m.hostPath}`]));

const withPaths = (paths: Partial<SandboxPolicyInput['hostPaths']>) =>
  input({ hostPaths: { ...input().hostPaths, ...paths } });

describe('sandbox policy: mounts', () => {
  it('a worker: the group folder (and main global memory) ro unless asked, its own scratch rw', () => {
    const worker = (writeGroupFolder: boolean, isMain = false) =>
      modes(
        buildSandboxSpec({
          ...withPaths({ claudeHome: '/data/run/workers/w1/claude' }),
          group: { folder: 'family', isMain },
          worker: { scratchDir: '/data/run/workers/w1/scratch', writeGroupFolder },
        }),
      );
    const ro = worker(false);
    expect(ro['/workspace/group']).toBe('ro /data/groups/family');
    expect(ro['/workspace/scratch']).toBe('rw /data/run/workers/w1/scratch');
    expect(ro['/home/agent/.claude']).toBe('rw /data/run/workers/w1/claude');
    expect(worker(true)['/workspace/group']).toBe('rw /data/groups/family');
    expect(worker(false, true)['/workspace/global']).toBe('ro /data/groups/global');
    expect(worker(true, true)['/workspace/global']).toBe('rw /data/groups/global');
    // Everything else is exactly what the group's own run gets.
    const own = modes(buildSandboxSpec(input()));
    const { '/workspace/scratch': _s, ...rest } = worker(true);
    expect(Object.keys(rest).sort()).toEqual(Object.keys(own).sort());
  });

  it('gives a non-main group its folder and Claude home rw, everything else ro', () => {
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

  it('lets main (and only main) write the global memory; nothing else changes', () => {
    const main = modes(buildSandboxSpec(input({ group: { folder: 'main', isMain: true } })));
    const other = modes(buildSandboxSpec(input({ group: { folder: 'main', isMain: false } })));
    expect(main['/workspace/global']).toBe('rw /data/groups/global');
    expect(other['/workspace/global']).toBe('ro /data/groups/global');
    delete main['/workspace/global'];
    delete other['/workspace/global'];
    expect(main).toEqual(other);
  });

  it('mounts only the app parts the runner needs, never the app root itself', () => {
    const spec = buildSandboxSpec(input());
    expect(spec.mounts.map((m) => m.hostPath)).not.toContain('/opt/app');
  });

  it('gives main (and only main) the project read-only, its blocked entries covered after it', () => {
    const project = {
      hostPath: '/opt/app',
      shadows: [
        { rel: '.env', kind: 'file' as const },
        { rel: 'data', kind: 'dir' as const },
      ],
    };
    const main = buildSandboxSpec(input({ group: { folder: 'main', isMain: true }, project }));
    expect(main.mounts.slice(-3)).toEqual([
      { hostPath: '/opt/app', sandboxPath: '/workspace/project', mode: 'ro' },
      { hostPath: '/data/run/cover/file', sandboxPath: '/workspace/project/.env', mode: 'ro' },
      { hostPath: '/data/run/cover/dir', sandboxPath: '/workspace/project/data', mode: 'ro' },
    ]);
    const family = buildSandboxSpec(input({ project }));
    expect(family.mounts.some((m) => m.sandboxPath.startsWith('/workspace/project'))).toBe(false);
  });

  it('covers blocked entries of an extra mount, and refuses paths it cannot cover safely', () => {
    const extra = (rel: string) => [
      {
        hostPath: '/home/u/code',
        name: 'code',
        mode: 'rw' as const,
        shadows: [{ rel, kind: 'dir' as const }],
      },
    ];
    const spec = buildSandboxSpec(input({ extraMounts: extra('app/.aws') }));
    expect(spec.mounts.slice(-2)).toEqual([
      { hostPath: '/home/u/code', sandboxPath: '/workspace/extra/code', mode: 'rw' },
      {
        hostPath: '/data/run/cover/dir',
        sandboxPath: '/workspace/extra/code/app/.aws',
        mode: 'ro',
      },
    ]);
    for (const bad of ['../x', 'a//b', 'a:b/.env', '']) {
      expect(() => buildSandboxSpec(input({ extraMounts: extra(bad) }))).toThrow(/Cannot hide/);
    }
  });

  it('mounts validated extra mounts under /workspace/extra with their mode, after the rest', () => {
    const spec = buildSandboxSpec(
      input({
        extraMounts: [
          { hostPath: '/home/u/notes', name: 'notes', mode: 'ro' },
          { hostPath: '/srv/out', name: 'out.v2', mode: 'rw' },
        ],
      }),
    );
    expect(spec.mounts.slice(-2)).toEqual([
      { hostPath: '/home/u/notes', sandboxPath: '/workspace/extra/notes', mode: 'ro' },
      { hostPath: '/srv/out', sandboxPath: '/workspace/extra/out.v2', mode: 'rw' },
    ]);
  });

  it('refuses extra mount names that are not one plain path segment, or repeated', () => {
    for (const name of ['', '..', '.', 'a/b', '../x', '.hidden', 'x'.repeat(65), 'a b']) {
      expect(() =>
        buildSandboxSpec(input({ extraMounts: [{ hostPath: '/srv/x', name, mode: 'ro' }] })),
      ).toThrow(/extra mount name/);
    }
    const twice = [
      { hostPath: '/srv/a', name: 'a', mode: 'ro' as const },
      { hostPath: '/srv/b', name: 'a', mode: 'rw' as const },
    ];
    expect(() => buildSandboxSpec(input({ extraMounts: twice }))).toThrow(/duplicate/);
  });

  it('refuses relative host paths and paths runtimes cannot express', () => {
    expect(() => buildSandboxSpec(withPaths({ groupDir: 'data/groups/family' }))).toThrow(
      /must be absolute/,
    );
    for (const bad of ['/data/a:b', '/data/a,b', '/data/a\nb']) {
      expect(() => buildSandboxSpec(withPaths({ claudeHome: bad }))).toThrow(/cannot mount/);
    }
    expect(() =>
      buildSandboxSpec(input({ extraMounts: [{ hostPath: 'rel', name: 'x', mode: 'ro' }] })),
    ).toThrow(/must be absolute/);
  });

  it('normalizes host paths', () => {
    const spec = buildSandboxSpec(withPaths({ groupDir: '/data/x/../groups//family/' }));
    expect(modes(spec)['/workspace/group']).toBe('rw /data/groups/family');
  });
});

describe('sandbox policy: environment and identity', () => {
  it('sets a complete, fixed environment', () => {
    expect(buildSandboxSpec(input()).env).toEqual({
      HOME: '/home/agent',
      PATH: '/opt/node/bin:/usr/local/bin:/usr/bin:/bin',
      TMPDIR: '/tmp',
      LANG: 'C.UTF-8',
      TZ: 'Europe/Berlin',
      CLAUDE_CONFIG_DIR: '/home/agent/.claude',
      NANOCLAW_SANDBOX: 'nanoclaw-family-abc123',
      NANOCLAW_INSTANCE: 'inst1',
    });
  });

  it('carries no secret and nothing from the host environment', () => {
    process.env.ANTHROPIC_API_KEY = 'sk-test-secret';
    process.env.NANOCLAW_PLANTED = 'planted';
    try {
      const text = JSON.stringify(buildSandboxSpec(input()));
      for (const key of SECRET_KEYS) expect(text).not.toContain(key);
      expect(text).not.toMatch(/sk-test-secret|planted|API_KEY|TOKEN|SECRET/);
    } finally {
      delete process.env.ANTHROPIC_API_KEY;
      delete process.env.NANOCLAW_PLANTED;
    }
  });

  it('runs the agent runner as the unprivileged user in the group folder', () => {
    const spec = buildSandboxSpec(input({ user: { uid: 1234, gid: 2345 } }));
    expect(spec.user).toEqual({ uid: 1234, gid: 2345 });
    expect(spec.cwd).toBe('/workspace/group');
    expect(spec.home).toBe('/home/agent');
    expect(spec.command).toEqual(['/opt/node/bin/node', '/opt/nanoclaw/dist/agent/main.js']);
    expect(spec.name).toBe('nanoclaw-family-abc123');
    expect(spec.group).toBe('family');
    expect(spec.instance).toBe('inst1');
    expect(spec.limits).toEqual(input().limits);
  });

  it('refuses root or invalid sandbox users', () => {
    for (const user of [
      { uid: 0, gid: 1000 },
      { uid: 1000, gid: 0 },
      { uid: -1, gid: 1000 },
      { uid: 1.5, gid: 1000 },
    ]) {
      expect(() => buildSandboxSpec(input({ user }))).toThrow(/unprivileged/);
    }
  });

  it('refuses instance ids that could not serve as a label', () => {
    for (const instance of ['', 'a b', 'a=b', '-x']) {
      expect(() => buildSandboxSpec(input({ instance }))).toThrow(/instance/);
    }
  });

  it('refuses folder names that could escape (validated by the group store rules)', () => {
    for (const folder of ['../etc', 'a/b', '', '.hidden', 'global', 'x'.repeat(65), '..']) {
      expect(() => buildSandboxSpec(input({ group: { folder, isMain: false } }))).toThrow(
        /Invalid group folder/,
      );
    }
  });
});

describe('sandbox names', () => {
  it('are deterministic, ≤ 63 chars of [A-Za-z0-9_.-], and keep the run id', () => {
    const name = sandboxName('f'.repeat(64), 'r'.repeat(40));
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(name.endsWith(`-${'r'.repeat(16)}`)).toBe(true);
    expect(sandboxName('f'.repeat(64), 'r'.repeat(40))).toBe(name);
  });

  it('drops characters runtimes reject', () => {
    expect(sandboxName('fam', 'a/b c:d')).toBe('nanoclaw-fam-abcd');
  });
});
