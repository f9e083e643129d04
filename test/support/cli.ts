/**
 * Runs the real `nanoclaw` CLI (bin/nanoclaw.js → dist/) as a child process with a temp data
 * directory, for end-to-end tests. The host environment is NOT inherited: tests pass exactly
 * what the CLI should see.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(APP_ROOT, 'bin', 'nanoclaw.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp NANOCLAW_HOME the sandbox user can reach (mkdtemp makes 0700 dirs). */
export function tempHome(prefix = 'nanoclaw-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function runCli(
  args: string[],
  env: Record<string, string>,
  options: { timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 90_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
