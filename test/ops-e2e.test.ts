/**
 * The operator's tools against the real host (`nanoclaw start`, bubblewrap sandboxes, the SDK
 * CLI, the local fake model): `status` with the host stopped and running, `why` for an answered,
 * an ignored (no trigger) and a failed message (the fake model refuses with HTTP 400), `logs`
 * from the host's real log file, and backup → restore into an empty home, on which a started
 * host has the history, groups, tasks and sessions back.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';
import {
  history,
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

interface Why {
  verdict: string;
  trigger: string;
  runs: { runId: string; outcome: string; runtime?: string; exitCode?: number | null }[];
  reply: { deliveredAt?: number } | null;
  errors: string[];
}
interface Status {
  running: boolean;
  host?: { pid: number; runtime: string };
  channels: { name: string; state: string }[];
  groups: { folder: string; lastActivity: number | null; liveRuns: { runId?: string }[] }[];
  nextTasks: { id: string; group: string }[];
  problems: string[];
}

const FAIL = 'PLEASE FAIL';

async function posted(url: string, chatId: string, text: string): Promise<string> {
  const res = await postMessage(url, chatId, text);
  return ((await res.json()) as { id: string }).id;
}

async function poll<T>(get: () => Promise<T>, done: (v: T) => boolean, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await get();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('status, why, logs, backup and restore (real host)', () => {
  let fake: FakeAnthropic;
  let base: string;
  let env: Record<string, string>;
  let restored: Record<string, string>;
  let host: HostProcess | undefined;
  let taskId: string;
  const ids: Record<string, string> = {};
  const archive = () => path.join(base, 'backup.tar.gz');
  const json = async <T>(args: string[], e = env) =>
    JSON.parse((await runCli(args, e)).stdout) as T;

  beforeAll(async () => {
    fake = await startFakeAnthropic({
      fail: (body) =>
        JSON.stringify(body.messages ?? []).includes(FAIL)
          ? { status: 400, message: 'refused by the fake model' }
          : undefined,
    });
    base = tempHome('nanoclaw-ops-');
    const common = {
      NANOCLAW_RUNTIME: 'bwrap',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: 'sk-ops-e2e-key',
      IDLE_TIMEOUT_MS: '4000',
      TZ: 'UTC',
      NANOCLAW_MOUNT_ALLOWLIST: path.join(base, 'config', 'mount-allowlist.json'),
    };
    env = { ...common, NANOCLAW_HOME: path.join(base, 'home') };
    restored = { ...common, NANOCLAW_HOME: path.join(base, 'restored') };
    fs.mkdirSync(path.join(base, 'config'));
    fs.writeFileSync(common.NANOCLAW_MOUNT_ALLOWLIST, '{"allowedRoots": []}\n');
    expect((await runCli(['groups', 'add', 'family'], env)).code).toBe(0);
    const added = await runCli(
      ['tasks', 'add', '--group', 'family', '--every', '1h', '--prompt', 'check'],
      env,
    );
    taskId = /\b(task-[0-9a-f]+)\b/.exec(added.stdout)?.[1] ?? '';
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });
  afterAll(async () => {
    await fake.close();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('status with the host stopped: from the database, says so, exit 3', async () => {
    const result = await runCli(['status'], env);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/NanoClaw is not running .*\nFrom the database \(read-only\)/);
    expect(result.stdout).toMatch(/family\s+no messages/);
    const report = await json<Status>(['status', '--json']);
    expect(report.running).toBe(false);
    expect(report.nextTasks.map((t) => t.group)).toEqual(['family']);
    expect(taskId).not.toBe('');
  });

  it('running: status from the host; why for answered, ignored and failed messages; logs', async () => {
    host = await startHostProcess(env);
    const url = host.url;
    const running = await runCli(['status'], env);
    expect(running.code).toBe(0);
    expect(running.stdout).toContain(`is running (pid ${host.pid}`);
    expect(running.stdout).toMatch(/web\s+connected/);

    const answered = await posted(url, 'web:main', 'hello ops');
    ids.answered = answered;
    await waitForHistory(url, 'web:main', (m) => m.some((x) => x.fromAssistant));
    const live = await json<Status>(['status', '--json']);
    let why = await poll(
      () => json<Why>(['why', 'last', '--json']),
      (w) => w.verdict === 'answered',
    );
    expect(why.verdict).toBe('answered');
    expect(why.trigger).toMatch(/main group answers every message/);
    // The run stays for IDLE_TIMEOUT_MS after its reply: status shows it live, by id.
    const main = live.groups.find((g) => g.folder === 'main');
    expect(main?.liveRuns.map((r) => r.runId)).toEqual([why.runs[0]?.runId]);
    expect(main?.lastActivity).toBeGreaterThan(0);

    const ignoredId = await posted(url, 'web:family', 'just chatting');
    const ignored = await json<Why>(['why', ignoredId, '--json']);
    expect(ignored.verdict).toBe('ignored: no trigger');
    expect(ignored.trigger).toMatch(/no @Andy at the start/);
    expect(ignored.runs).toEqual([]);
    expect((await runCli(['why', ignoredId], env)).stdout).toMatch(/IGNORED: NO TRIGGER/);

    await poll(
      () => json<Status>(['status', '--json']),
      (s) => s.groups.every((g) => g.liveRuns.length === 0),
    );
    // Its run has ended now: why shows how.
    why = await json<Why>(['why', answered, '--json']);
    expect(why.runs).toEqual([
      expect.objectContaining({ outcome: 'ok', runtime: 'bwrap', exitCode: 0 }),
    ]);
    expect(why.reply?.deliveredAt).toBeGreaterThan(0);
    const failedId = await posted(url, 'web:main', `${FAIL} now`);
    const failed = await poll(
      () => json<Why>(['why', failedId, '--json']),
      (w) => w.verdict === 'failed, will be retried',
    );
    expect(failed.verdict, JSON.stringify(failed)).toBe('failed, will be retried');
    expect(failed.errors.join('\n')).toContain('400');
    const troubled = await runCli(['status'], env);
    expect(troubled.code).toBe(1);
    expect(troubled.stdout).toMatch(/To fix:\n.*last run of group main failed/);

    const logs = await runCli(['logs', '--group', 'main', '--level', 'warn', '-n', '50'], env);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/WARN .*group=main/);
    expect(logs.stdout).not.toMatch(/ INFO /);

    const backup = await runCli(['backup', archive()], env);
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/database, group folders, sessions, mount allowlist/);
    expect(fs.statSync(archive()).mode & 0o777).toBe(0o600);
  }, 240_000);

  it('restore into an empty home brings back history, groups, tasks and sessions', async () => {
    const refused = await runCli(['restore', archive()], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty .*--force/);
    expect((await runCli(['restore', archive()], restored)).code).toBe(0);
    const sessions = (home: string) =>
      fs
        .readdirSync(path.join(home, 'sessions', 'main'), { recursive: true })
        .map(String)
        .sort();
    expect(sessions(restored.NANOCLAW_HOME as string)).toEqual(
      sessions(env.NANOCLAW_HOME as string),
    );
    host = await startHostProcess(restored);
    const busy = await runCli(['restore', archive(), '--force'], restored);
    expect(busy.stderr).toMatch(/is running .*stop it first/);
    const texts = (await history(host.url, 'web:main')).map((m) => m.text);
    expect(texts).toEqual(expect.arrayContaining(['hello ops', expect.stringContaining('ECHO:')]));
    const report = await json<Status>(['status', '--json'], restored);
    expect(report.running).toBe(true);
    expect(report.groups.map((g) => g.folder).sort()).toEqual(['family', 'main']);
    expect(report.nextTasks.map((t) => t.id)).toEqual([taskId]);
    const why = await json<Why>(['why', ids.answered ?? '', '--json'], restored);
    expect(why.verdict).toBe('answered');
  }, 120_000);
});
