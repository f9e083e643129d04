/**
 * The service fallback for machines without systemd or launchd, for real: `nanoclaw service
 * install --manager background` starts a supervisor that runs the real host on a temp home;
 * status, restart, a crash of the host (SIGKILL, restarted by the supervisor) and uninstall
 * are checked through the pid file, the host's lock record and the processes themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';

type State = { installed: boolean; active: boolean; hostPid?: number; manager?: string };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The host's own record of itself (written once it holds the data directory). */
function hostPid(home: string): number | undefined {
  try {
    return (JSON.parse(fs.readFileSync(path.join(home, 'host.json'), 'utf8')) as { pid: number })
      .pid;
  } catch {
    return undefined; // not written yet, or being replaced
  }
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('nanoclaw service with the background fallback', () => {
  let fake: FakeAnthropic;
  let home: string;
  let env: Record<string, string>;
  const pidFile = () => path.join(home, 'nanoclaw.pid');
  const supervisor = () => Number(fs.readFileSync(pidFile(), 'utf8').trim());
  const status = async () => {
    const r = await runCli(['service', 'status', '--json'], env);
    return { code: r.code, state: JSON.parse(r.stdout) as State };
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    home = tempHome('nanoclaw-service-');
    env = {
      NANOCLAW_HOME: home,
      NANOCLAW_MOUNT_ALLOWLIST: path.join(home, '..', `${path.basename(home)}-allow.json`),
    };
    // The service reads its settings from the .env only, not from the installing shell.
    fs.writeFileSync(
      path.join(home, '.env'),
      `NANOCLAW_RUNTIME=bwrap\nWEB_PORT=0\nANTHROPIC_BASE_URL=${fake.url}\nNANOCLAW_MOUNT_ALLOWLIST=${env.NANOCLAW_MOUNT_ALLOWLIST}\n`,
      { mode: 0o600 },
    );
  });

  afterAll(async () => {
    await runCli(['service', 'uninstall'], env);
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('install starts the host under a supervisor with a pid file; status sees both', async () => {
    const installed = await runCli(['service', 'install', '--manager', 'background'], env);
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).toContain('Service manager: background (asked for (--manager))');
    expect(fs.statSync(pidFile()).mode & 0o777).toBe(0o600);
    const pid = supervisor();
    expect(alive(pid)).toBe(true);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toContain('supervise');
    const { code, state } = await status();
    expect(code).toBe(0);
    expect(state).toMatchObject({ installed: true, active: true, manager: 'background' });
    expect(state.hostPid).toBe(hostPid(home));
    expect(fs.readFileSync(`/proc/${state.hostPid}/status`, 'utf8')).toMatch(
      new RegExp(`PPid:\\s+${pid}\\b`),
    );
  });

  it('restarts the host when it crashes (SIGKILL), and on `service restart`', async () => {
    const first = await waitFor('the host', () => hostPid(home));
    process.kill(first, 'SIGKILL');
    const second = await waitFor('a restarted host', () => {
      const pid = hostPid(home);
      return pid && pid !== first && alive(pid) ? pid : undefined;
    });
    expect(alive(first)).toBe(false);
    const oldSupervisor = supervisor();
    const restarted = await runCli(['service', 'restart'], env);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toMatch(/Restarted the background service \(supervisor pid \d+\)/);
    expect(alive(oldSupervisor)).toBe(false);
    expect(alive(second)).toBe(false);
    expect((await status()).state).toMatchObject({ active: true, hostPid: hostPid(home) });
  });

  it('a pid file naming some other process is not taken for the service', async () => {
    const real = supervisor();
    fs.writeFileSync(pidFile(), `${process.pid}\n`);
    try {
      const { code, state } = await status();
      expect(state.active).toBe(false);
      expect(code).toBe(3);
    } finally {
      fs.writeFileSync(pidFile(), `${real}\n`);
    }
  });

  it('uninstall stops the supervisor and the host and removes the pid file', async () => {
    const pid = supervisor();
    const host = await waitFor('the host', () => hostPid(home));
    const removed = await runCli(['service', 'uninstall'], env);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('Removed the background service');
    expect(alive(pid)).toBe(false);
    expect(alive(host)).toBe(false);
    expect(fs.existsSync(pidFile())).toBe(false);
    const { code, state } = await status();
    expect(state).toMatchObject({ installed: false, active: false });
    expect(code).toBe(3);
    expect(fs.readFileSync(path.join(home, 'logs', 'service.log'), 'utf8')).toContain(
      'restarting in 1 s',
    );
  });
});
