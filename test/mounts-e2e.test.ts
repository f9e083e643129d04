/**
 * Extra mounts end to end: the CLI adds an allowlisted folder to a group, the next sandboxed
 * run sees it read-only, and removing its root from the allowlist takes it away at the next run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';

describe('extra mounts (allowlist → sandbox)', () => {
  let fake: FakeAnthropic;
  let base: string;
  let env: Record<string, string>;
  let allowlist: string;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    base = tempHome('nanoclaw-mounts-e2e-');
    const projects = path.join(base, 'projects', 'notes');
    fs.mkdirSync(projects, { recursive: true, mode: 0o755 });
    fs.chmodSync(path.join(base, 'projects'), 0o755);
    fs.writeFileSync(path.join(projects, 'hello.txt'), 'hello from the host\n', { mode: 0o644 });
    fs.mkdirSync(path.join(base, 'secrets', '.ssh'), { recursive: true });
    allowlist = path.join(base, 'config', 'mount-allowlist.json');
    fs.mkdirSync(path.dirname(allowlist));
    fs.writeFileSync(
      allowlist,
      JSON.stringify({
        allowedRoots: [{ path: path.join(base, 'projects'), allowReadWrite: false }],
      }),
    );
    env = {
      NANOCLAW_HOME: path.join(base, 'data'),
      NANOCLAW_MOUNT_ALLOWLIST: allowlist,
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-mounts',
    };
  });

  afterAll(async () => {
    await fake.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('explains refusals and additions', async () => {
    const refused = await runCli(['mounts', 'check', path.join(base, 'secrets', '.ssh')], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('REFUSED');
    const ok = await runCli(['mounts', 'check', path.join(base, 'projects', 'notes'), '--rw'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /ALLOWED READ-ONLY: .*notes → \/workspace\/extra\/notes \(read-only, not read-write as asked: the root .* does not allow writing\)/,
    );
  });

  it('the next run sees the mount read-only; without its root it disappears', async () => {
    // The first run creates the main group; then it gets the mount.
    expect((await runCli(['run', 'hi'], env)).code).toBe(0);
    const notes = path.join(base, 'projects', 'notes');
    const added = await runCli(['mounts', 'add', notes, '--group', 'main'], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('/workspace/extra/notes (read-only)');
    const probe =
      'RUN: cat /workspace/extra/notes/hello.txt; touch /workspace/extra/notes/x 2>/dev/null || echo READ-ONLY';
    const seen = await runCli(['run', probe], env);
    expect(seen.code).toBe(0);
    expect(seen.stdout).toContain('hello from the host');
    expect(seen.stdout).toContain('READ-ONLY');

    fs.writeFileSync(allowlist, JSON.stringify({ allowedRoots: [] }));
    const gone = await runCli(['run', 'RUN: ls /workspace/extra 2>&1 | head -1'], env);
    expect(gone.stdout).not.toContain('notes');
  });
});
