/**
 * `nanoclaw setup` end to end, non-interactively, on a clean temp home: the real CLI, real
 * bubblewrap sandboxes, the real Agent SDK against the local fake Anthropic API, the service as
 * the background fallback (so the machine's systemd is never touched). Then doctor against the
 * running host and a stopped one, a re-run that keeps what is done, and uninstall. Each failure
 * path of setup (no runtime, a refused key, an endpoint that is down) ends non-zero with its fix.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { runCli, tempHome } from './support/cli.js';

const KEY = ['sk', 'ant', 'setup', 'e2e', 'Kq7'].join('-');

type Event = {
  event: string;
  step?: string;
  detail?: string;
  fix?: string;
  kept?: boolean;
  ok?: boolean;
};
const events = (stdout: string): Event[] =>
  stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Event);
const outcome = (list: Event[], step: string) =>
  list.find((e) => e.step === step && ['done', 'skip', 'fail'].includes(e.event));

type Check = { id: string; status: string; detail: string; fix?: string };
const checks = (stdout: string) => events(stdout) as unknown as Check[];
const check = (list: Check[], id: string) => list.find((c) => c.id === id);

describe('nanoclaw setup from a clean home (bwrap, fake model, background service)', () => {
  let fake: FakeAnthropic;
  let root: string;
  let home: string;
  let allowlist: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    root = tempHome('nanoclaw-setup-');
    home = path.join(root, 'home'); // does not exist yet: a clean home
    allowlist = path.join(root, 'config', 'mount-allowlist.json');
    fs.mkdirSync(path.join(root, 'projects'));
    env = {
      NANOCLAW_HOME: home,
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: KEY,
      NANOCLAW_MOUNT_ALLOWLIST: allowlist,
    };
  });

  afterAll(async () => {
    await runCli(['service', 'uninstall'], env);
    await fake.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs every step and ends with an answered sandboxed turn through the running service', async () => {
    const args = [
      'setup',
      '--json',
      '--yes',
      '--runtime',
      'bwrap',
      '--name',
      'Andy',
      '--tz',
      'Europe/Berlin',
    ];
    args.push('--web-port', '0', '--allow', path.join(root, 'projects'), '--manager', 'background');
    const result = await runCli(args, env, { timeoutMs: 240_000 });
    expect(result.stderr).not.toContain(KEY);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const list = events(result.stdout);
    for (const step of [
      'environment',
      'runtime',
      'model',
      'assistant',
      'channel',
      'mounts',
      'service',
      'turn',
    ]) {
      expect(list.some((e) => e.event === 'start' && e.step === step)).toBe(true);
      expect(outcome(list, step)?.event, step).toBe('done');
    }
    expect(outcome(list, 'turn')?.detail).toContain('the assistant answered: "ECHO:');
    expect(outcome(list, 'turn')?.detail).toContain('Open the chat: http://127.0.0.1:');
    expect(list.at(-1)).toMatchObject({ event: 'finish', ok: true });
    // The turn ran the SDK in a sandbox through the gateway: streamed requests with the real key.
    const streamed = fake.requests.filter(
      (r) => (r.body as { stream?: boolean } | undefined)?.stream,
    );
    expect(streamed.length).toBeGreaterThan(0);
    for (const r of streamed) expect(r.headers['x-api-key']).toBe(KEY);

    const dotenv = path.join(home, '.env');
    expect(fs.statSync(dotenv).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(dotenv, 'utf8');
    expect(text).toMatch(/^# NanoClaw settings/);
    expect(text).toContain(`# Model credential (an Anthropic API key)`);
    for (const line of [
      `ANTHROPIC_API_KEY=${KEY}`,
      'NANOCLAW_RUNTIME=bwrap',
      'TZ=Europe/Berlin',
      'WEB_PORT=0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    const allowed = JSON.parse(fs.readFileSync(allowlist, 'utf8')) as {
      allowedRoots: { path: string }[];
    };
    expect(allowed.allowedRoots.map((r) => r.path)).toEqual([path.join(root, 'projects')]);
    const status = await runCli(['service', 'status'], env);
    expect(status.stdout).toContain('background active');
    expect(status.code).toBe(0);
  });

  it('doctor passes against the running host, and names the fix for a broken item', async () => {
    const ok = await runCli(['doctor', '--json'], env, { timeoutMs: 120_000 });
    const list = checks(ok.stdout);
    expect(
      list.filter((c) => c.status === 'fail'),
      ok.stdout,
    ).toEqual([]);
    expect(ok.code).toBe(0);
    expect(check(list, 'host')?.detail).toMatch(/^pid \d+ since/);
    expect(check(list, 'runtime')?.detail).toContain('a test sandbox started');
    expect(check(list, 'model')?.status).toBe('pass');
    expect(check(list, 'database')?.detail).toContain('quick_check ok');
    expect(check(list, 'service')?.status).toBe('pass');

    const dotenv = path.join(home, '.env');
    fs.chmodSync(dotenv, 0o644);
    const goodAllowlist = fs.readFileSync(allowlist, 'utf8');
    fs.writeFileSync(allowlist, '{ "allowedRoots": [');
    try {
      const broken = await runCli(['doctor'], env, { timeoutMs: 120_000 });
      expect(broken.code).toBe(1);
      expect(broken.stdout).toContain(`✗ Data directory: ${dotenv} is 644 (readable by others)`);
      expect(broken.stdout).toContain(`fix: chmod 600 ${dotenv}`);
      expect(broken.stdout).toContain('✗ Mount allowlist:');
      expect(broken.stdout).toContain('is not valid JSON');
      expect(broken.stdout).toContain('2 check(s) failed');
    } finally {
      fs.chmodSync(dotenv, 0o600);
      fs.writeFileSync(allowlist, goodAllowlist);
    }
  });

  it('a re-run keeps what is done, and every line of .env it does not own', async () => {
    const dotenv = path.join(home, '.env');
    fs.appendFileSync(dotenv, '\n# my own note\nMY_OWN_SETTING=kept\n');
    const before = fs.readFileSync(dotenv, 'utf8');
    const result = await runCli(['setup', '--json', '--yes', '--no-turn'], env, {
      timeoutMs: 120_000,
    });
    expect(result.code, result.stdout).toBe(0);
    const list = events(result.stdout);
    for (const step of ['runtime', 'model', 'assistant', 'channel', 'mounts', 'service']) {
      expect(outcome(list, step), step).toMatchObject({ event: 'done', kept: true });
    }
    expect(outcome(list, 'turn')).toMatchObject({ event: 'skip' });
    expect(fs.readFileSync(dotenv, 'utf8')).toBe(before);
  });

  it('doctor against the stopped host; uninstall removes exactly what it made', async () => {
    expect((await runCli(['service', 'uninstall'], env)).code).toBe(0);
    const stopped = await runCli(['doctor', '--json'], env, { timeoutMs: 120_000 });
    const list = checks(stopped.stdout);
    expect(check(list, 'host')?.detail).toBe('not running (checked offline)');
    expect(check(list, 'service')).toMatchObject({
      status: 'warn',
      fix: expect.stringContaining('nanoclaw service install'),
    });
    expect(check(list, 'database')?.status).toBe('pass');
    expect(stopped.code).toBe(0);

    const dry = await runCli(['uninstall', '--dry-run'], env);
    expect(dry.stdout).toContain(`the mount allowlist ${allowlist}, created by setup [data]`);
    expect(dry.stdout).toContain(`the data directory ${home}`);
    expect(dry.stdout).toContain('Dry run: nothing was removed.');
    expect(fs.existsSync(home)).toBe(true);
    const refused = await runCli(['uninstall'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pass --yes');
    const gone = await runCli(['uninstall', '--yes'], env);
    expect(gone.code).toBe(0);
    expect(gone.stdout).toContain(`removed: the data directory ${home}`);
    expect(fs.existsSync(home)).toBe(false);
    expect(fs.existsSync(allowlist)).toBe(false);
    expect(fs.existsSync(path.join(root, 'projects'))).toBe(true); // the user's folder stays
  });
});

describe('nanoclaw setup failures: each stops non-zero with its fix', () => {
  let fake: FakeAnthropic;
  let root: string;
  const base = () => ({
    NANOCLAW_HOME: path.join(root, `home-${Math.random().toString(36).slice(2)}`),
    NANOCLAW_MOUNT_ALLOWLIST: path.join(root, 'allowlist.json'),
  });
  const args = ['setup', '--json', '--yes', '--runtime', 'bwrap', '--no-service', '--no-turn'];

  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY });
    root = tempHome('nanoclaw-setup-fail-');
  });

  afterAll(async () => {
    await fake.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  const noPodman = spawnSync('podman', ['--version']).status !== 0;
  it.runIf(noPodman)('no runtime: the runtime step says what to install', async () => {
    const env = { ...base(), ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: KEY };
    const result = await runCli([...args, '--runtime', 'podman'], env);
    expect(result.code).toBe(1);
    const fail = outcome(events(result.stdout), 'runtime');
    expect(fail).toMatchObject({
      event: 'fail',
      detail: 'NANOCLAW_RUNTIME=podman does not work here:',
    });
    expect(fail?.fix).toContain('podman: install Podman');
    expect(events(result.stdout).some((e) => e.step === 'model')).toBe(false);
  });

  it('a refused key: the exact fix, and the key is not saved', async () => {
    const env = { ...base(), ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'sk-ant-wrong-key' };
    const result = await runCli(
      args.filter((a) => a !== '--json'),
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`✗ ${fake.url} refused it (HTTP 401: invalid x-api-key)`);
    expect(result.stdout).toContain(
      'fix: The API key is wrong, revoked or of another organization',
    );
    expect(result.stdout).toContain('console.anthropic.com/settings/keys');
    expect(result.stdout).toContain('Setup stopped at "Model access"');
    const dotenv = path.join(env.NANOCLAW_HOME, '.env');
    expect(fs.readFileSync(dotenv, 'utf8')).not.toContain('sk-ant-wrong-key');
  });

  it('the model endpoint is down: the fix says to start it or correct the URL', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const env = {
      ...base(),
      ANTHROPIC_BASE_URL: `http://127.0.0.1:${closed}`,
      ANTHROPIC_API_KEY: KEY,
    };
    const result = await runCli(args, env);
    expect(result.code).toBe(1);
    const fail = outcome(events(result.stdout), 'model');
    expect(fail?.detail).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+ does not answer \(connect ECONNREFUSED/,
    );
    expect(fail?.fix).toContain(
      'Start the endpoint (Ollama: `ollama serve`) or correct ANTHROPIC_BASE_URL',
    );
  });

  it('doctor: invalid settings are a failed check with their fix, not a crash', async () => {
    const env = base();
    fs.mkdirSync(env.NANOCLAW_HOME);
    fs.writeFileSync(path.join(env.NANOCLAW_HOME, '.env'), 'TZ=Mars/Base\n', { mode: 0o600 });
    const result = await runCli(['doctor', '--json'], env);
    expect(result.code).toBe(1);
    const [settings] = checks(result.stdout);
    expect(settings).toMatchObject({ id: 'settings', status: 'fail' });
    expect(settings?.detail).toContain('TZ is not a time zone');
  });

  it('no credential at all: says how to give one', async () => {
    const result = await runCli(args, base());
    expect(result.code).toBe(1);
    const fail = outcome(events(result.stdout), 'model');
    expect(fail?.detail).toBe('no model credential or endpoint was given');
    expect(fail?.fix).toContain('ANTHROPIC_API_KEY=sk-ant-… nanoclaw setup --yes');
  });
});
