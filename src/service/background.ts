/**
 * The service fallback where there is no systemd or launchd: a detached supervisor process
 * (`nanoclaw service supervise`) that runs `nanoclaw start` and restarts it when it fails, with
 * backoff. Its pid is in `$NANOCLAW_HOME/nanoclaw.pid`; what both print goes to
 * `logs/service.log`. Stopping signals the supervisor, which stops the host cleanly.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { findHost } from '../host-lock.js';
import { pidFile } from './manager.js';
import { serviceLogFile, type ServiceSpec } from './units.js';

const LOG_TRIM_BYTES = 10 * 1024 * 1024;

/** Pure: how long to wait before restarting a host that ran `ranMs` and failed `attempt` times. */
export function restartDelay(attempt: number, ranMs: number): number {
  if (ranMs > 60_000) return 1000; // it ran a while: a fresh failure, not a crash loop
  return Math.min(60_000, 1000 * 2 ** Math.min(attempt, 6));
}

/** Pure: whether a /proc cmdline (NUL-separated) is a supervisor of this installation. */
export function isSupervisor(cmdline: string, cli: string): boolean {
  const argv = cmdline.split('\0');
  return argv.includes(cli) && argv.includes('service') && argv.includes('supervise');
}

function readPid(home: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(home), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The supervisor's pid if it is alive and really ours (a recycled pid is not). */
export function supervisorPid(spec: ServiceSpec): number | undefined {
  const pid = readPid(spec.home);
  if (!pid) return undefined;
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return isSupervisor(cmdline, spec.cli) ? pid : undefined;
  } catch {
    // No /proc (macOS) or the process is gone: ask the kernel whether it exists at all.
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the supervisor and waits until the host holds the data directory (or failed). */
export async function startBackground(spec: ServiceSpec, timeoutMs = 60_000): Promise<number> {
  const running = supervisorPid(spec);
  if (running) return running;
  const logFile = serviceLogFile(spec.home);
  fs.mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
  if (fs.existsSync(logFile) && fs.statSync(logFile).size > LOG_TRIM_BYTES)
    fs.truncateSync(logFile, 0);
  const out = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(spec.node, [spec.cli, 'service', 'supervise'], {
    cwd: spec.appRoot,
    detached: true,
    stdio: ['ignore', out, out],
    env: serviceEnv(spec),
  });
  fs.closeSync(out);
  child.unref();
  const pid = child.pid;
  if (!pid) throw new UserError(`Could not start the background service; see ${logFile}.`);
  fs.writeFileSync(pidFile(spec.home), `${pid}\n`, { mode: 0o600 });
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const host = findHost(spec.home);
    if (host.running && host.record?.url) return pid;
    if (!alive(pid)) break;
    await sleep(200);
  }
  const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n');
  throw new UserError(
    `The assistant did not come up as a background service. Its output (${logFile}):\n${tail}`,
  );
}

/** The service's environment: settings come from $NANOCLAW_HOME/.env, not the installing shell. */
function serviceEnv(spec: ServiceSpec): NodeJS.ProcessEnv {
  return {
    PATH: spec.pathEnv,
    NANOCLAW_HOME: spec.home,
    LOG_FORMAT: 'json',
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the supervisor (and so the host); true if one was running. */
export async function stopBackground(spec: ServiceSpec, timeoutMs = 30_000): Promise<boolean> {
  const pid = supervisorPid(spec);
  if (!pid) {
    fs.rmSync(pidFile(spec.home), { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < until) await sleep(100);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  fs.rmSync(pidFile(spec.home), { force: true });
  return true;
}

/**
 * The supervisor itself (runs detached): starts the host, restarts it after a failure, and on
 * SIGTERM/SIGINT stops it and exits. A host that exits 0 was stopped on purpose: so do we.
 */
export async function supervise(spec: ServiceSpec, write: (line: string) => void): Promise<number> {
  let stopping = false;
  let child: ReturnType<typeof spawn> | undefined;
  const stop = () => {
    stopping = true;
    child?.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  for (let attempt = 0; ; attempt++) {
    const started = Date.now();
    child = spawn(spec.node, [spec.cli, 'start'], {
      cwd: spec.appRoot,
      stdio: 'inherit',
      env: process.env,
    });
    const code = await new Promise<number | null>((resolve) => child?.on('close', resolve));
    if (stopping || code === 0) break;
    const ran = Date.now() - started;
    if (ran > 60_000) attempt = 0; // a fresh failure after a good run starts the backoff again
    const delay = restartDelay(attempt, ran);
    write(
      `${new Date().toISOString()} nanoclaw exited with ${code}; restarting in ${delay / 1000} s`,
    );
    await sleep(delay);
    if (stopping) break;
  }
  if (readPid(spec.home) === process.pid) fs.rmSync(pidFile(spec.home), { force: true });
  return 0;
}
