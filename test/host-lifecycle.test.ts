/**
 * The host's life through the real CLI (`nanoclaw start` as a child process): a failed start
 * stops what it started and exits at once; one host per data directory (an OS lock that even
 * `kill -9` releases); a clean shutdown logs no errors or warnings.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findHost, lockPath, readHostRecord, recordPath } from '../src/host-lock.js';
import { runCli, tempHome } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import {
  postMessage,
  startHostProcess,
  waitForHistory,
  type HostProcess,
} from './support/host-process.js';

const gatewayDirs = (home: string) =>
  fs.readdirSync(path.join(home, 'run')).filter((name) => name.startsWith('gateway-'));

/** Lines at warn level or worse in pino's JSON output. */
const warnings = (output: string) =>
  output.split('\n').filter((line) => /"level":\s*(40|50|60)\b/.test(line));

describe('host lifecycle (real CLI)', () => {
  let fake: FakeAnthropic;
  const homes: string[] = [];
  const hosts: HostProcess[] = [];
  const home = () => {
    const dir = tempHome();
    homes.push(dir);
    return dir;
  };
  const env = (dir: string) => ({
    NANOCLAW_HOME: dir,
    NANOCLAW_RUNTIME: 'bwrap',
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: 'sk-lifecycle-key',
  });
  const start = async (vars: Record<string, string>) => {
    const host = await startHostProcess(vars);
    hosts.push(host);
    return host;
  };

  beforeAll(async () => {
    fake = await startFakeAnthropic();
  });
  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.stop('SIGKILL');
  });
  afterAll(async () => {
    await fake.close();
    for (const dir of homes) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('web port taken: a clear message, exit 2 at once, nothing left behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const dir = home();
      const result = await runCli(['start'], { ...env(dir), WEB_PORT: String(port) });
      expect(result.stderr).toContain(`127.0.0.1:${port} is already in use`);
      expect(result.stderr).toContain('Stop it or set WEB_PORT to a free port.');
      expect(result.code).toBe(2);
      expect(gatewayDirs(dir)).toEqual([]); // the gateway it had started is stopped
      expect(findHost(dir)).toEqual({ running: false });
      expect(readHostRecord(dir)).toBeUndefined();
    } finally {
      blocker.close();
    }
  });

  it('a second host on the same data directory is refused, naming the first', async () => {
    const dir = home();
    const first = await start(env(dir));
    expect(readHostRecord(dir)).toMatchObject({ pid: first.pid, url: first.url });
    for (const file of [lockPath(dir), recordPath(dir)]) {
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    }
    const second = await runCli(['start'], { ...env(dir), WEB_PORT: '0' });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`NanoClaw is already running on ${dir} (process ${first.pid}`);
    expect(second.stdout).not.toContain('Open the chat');
    // The first host is untouched and still answers.
    expect((await fetch(`${first.url}/api/status`)).ok).toBe(true);
    // A host on another data directory starts beside it; each data directory's `nanoclaw chat`
    // finds its own host, whatever WEB_PORT says.
    const otherDir = home();
    const other = await start(env(otherDir));
    const chat = await runCli(['chat'], {
      NANOCLAW_HOME: otherDir,
      WEB_PORT: new URL(first.url).port,
    });
    expect(chat.stderr).toContain(`Connected to NanoClaw at ${other.url} (process ${other.pid})`);
    expect(chat.code).toBe(0);
  });

  it('kill -9 leaves no stale lock: the next start takes over', async () => {
    const dir = home();
    const first = await start(env(dir));
    await first.stop('SIGKILL');
    expect(findHost(dir)).toEqual({ running: false });
    const next = await start(env(dir));
    expect(findHost(dir)).toEqual({
      running: true,
      record: expect.objectContaining({ pid: next.pid }),
    });
  });

  it('SIGINT with an idle sandbox: exit 0, no error or warning logged, lock released', async () => {
    const dir = home();
    const host = await start({ ...env(dir), LOG_LEVEL: 'info', LOG_FORMAT: 'json' });
    await postMessage(host.url, 'web:main', 'hello before the shutdown');
    await waitForHistory(host.url, 'web:main', (m) => m.some((x) => x.fromAssistant));
    // The run now waits idle for follow-ups (IDLE_TIMEOUT_MS is minutes by default).
    expect(await host.stop('SIGINT')).toBe(0);
    expect(host.output()).toContain('"msg":"sandbox exited"');
    expect(warnings(host.output())).toEqual([]);
    expect(findHost(dir)).toEqual({ running: false });
    expect(gatewayDirs(dir)).toEqual([]);
  });

  it("no credential: each message is answered at once with the banner's advice, no sandbox", async () => {
    const dir = home();
    // The default upstream and no key: nothing could answer.
    const host = await start({ NANOCLAW_HOME: dir, NANOCLAW_RUNTIME: 'bwrap', LOG_LEVEL: 'info' });
    const status = (await (await fetch(`${host.url}/api/status`)).json()) as { problems: string[] };
    expect(status.problems).toHaveLength(1);
    const advice = `Action needed: ${status.problems[0]}`;
    for (const text of ['hello?', 'anyone there?']) {
      await postMessage(host.url, 'web:main', text);
      await waitForHistory(host.url, 'web:main', (m) => m.at(-1)?.text === advice);
    }
    const messages = await waitForHistory(host.url, 'web:main', () => true);
    expect(messages.map((m) => [m.fromAssistant, m.text])).toEqual([
      [false, 'hello?'],
      [true, advice],
      [false, 'anyone there?'],
      [true, advice],
    ]);
    expect(host.output()).not.toContain('sandbox exited'); // no run was even tried
    // Once a key is in .env (read fresh), the host no longer reports the problem.
    fs.writeFileSync(path.join(dir, '.env'), 'ANTHROPIC_API_KEY=sk-set-later\n');
    const after = (await (await fetch(`${host.url}/api/status`)).json()) as { problems: string[] };
    expect(after.problems).toEqual([]);
  });
});
