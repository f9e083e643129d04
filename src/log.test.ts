/**
 * Logs: readable lines on a terminal, JSON otherwise, a rotated owner-only file for the host,
 * and secrets redacted in every one of them. Files are real; times are never asserted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger, isTty } from './log.js';
import { RotatingFile } from './log-file.js';
import { formatLogLine } from './log-format.js';

const SECRET = ['sk', 'log', 'secret', 'Q9'].join('-');

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (line: string) => void lines.push(line) } };
}

describe('log format', () => {
  it('is readable on a terminal and JSON otherwise or when asked', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
    expect(isTty({ isTTY: true })).toBe(true);
    expect(isTty({})).toBe(false);
  });

  it('formats one line: time, level, component, message, key=value fields', () => {
    const record = {
      level: 40,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      component: 'host',
      msg: 'sandbox failed',
      group: 'main',
      attempts: 2,
      reason: 'disk full',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
    };
    const line = formatLogLine(`${JSON.stringify(record)}\n`);
    expect(line).toMatch(
      /^\d\d:\d\d:\d\d\.006 WARN {2}host: sandbox failed group=main attempts=2 reason="disk full" err=boom\n$/,
    );
  });

  it('escapes control characters so logged text cannot drive the terminal', () => {
    const record = { level: 30, time: 0, msg: 'a\u001b[2Jb', note: 'x\u009b31m\ny' };
    const line = formatLogLine(JSON.stringify(record));
    const controls = [...line.trimEnd()].filter((c) => {
      const code = c.charCodeAt(0);
      return code < 0x20 || (code >= 0x7f && code <= 0x9f);
    });
    expect(controls).toEqual([]);
    expect(line).toContain('a\\u001b[2Jb');
    expect(line.trimEnd().split('\n')).toHaveLength(1);
    expect(formatLogLine('not json \u001b')).toBe('not json \\u001b\n');
  });

  it('JSON and readable lines both redact secrets', () => {
    for (const format of ['json', 'pretty'] as const) {
      const { lines, destination } = capture();
      const log = createLogger({ level: 'info', format, destination });
      log.info({ token: SECRET, headers: { authorization: `Bearer ${SECRET}` } }, 'call');
      log.child({ component: 'gateway' }).info({ req: { apiKey: SECRET } }, 'upstream');
      expect(lines).toHaveLength(2);
      expect(lines.join('')).not.toContain(SECRET);
      expect(lines.join('')).toContain('[redacted]');
      if (format === 'json') expect(JSON.parse(lines[0] ?? '')).toMatchObject({ msg: 'call' });
      else expect(lines[1]).toMatch(/INFO {2}gateway: upstream req=/);
    }
  });
});

describe('log file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-logs-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the host writes JSON lines to an owner-only file, redacted, beside a readable console', () => {
    const { lines, destination } = capture();
    const file = path.join(dir, 'logs', 'nanoclaw.log');
    const log = createLogger({
      level: 'info',
      format: 'pretty',
      destination,
      file: { path: file },
    });
    log.info({ token: SECRET, group: 'main' }, 'started');
    log.debug('not at info');
    const written = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] ?? '')).toMatchObject({ msg: 'started', token: '[redacted]' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(lines[0]).toMatch(/INFO {2}started token="\[redacted\]" group=main/);
  });

  it('rotates at its size cap and keeps only the newest files', () => {
    const file = path.join(dir, 'nanoclaw.log');
    const errors: string[] = [];
    const rotating = new RotatingFile({
      path: file,
      maxBytes: 100,
      files: 3,
      onError: (m) => errors.push(m),
    });
    const line = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(30) })}\n`; // ~45 bytes
    for (let n = 0; n < 10; n++) rotating.write(line(n));
    rotating.close();
    expect(fs.readdirSync(dir).sort()).toEqual([
      'nanoclaw.log',
      'nanoclaw.log.1',
      'nanoclaw.log.2',
    ]);
    const ns = (name: string) =>
      fs
        .readFileSync(path.join(dir, name), 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { n: number }).n);
    // Two lines fit under 100 bytes: newest in the file, older ones shifted, the oldest gone.
    expect(ns('nanoclaw.log')).toEqual([8, 9]);
    expect(ns('nanoclaw.log.1')).toEqual([6, 7]);
    expect(ns('nanoclaw.log.2')).toEqual([4, 5]);
    for (const name of fs.readdirSync(dir))
      expect(fs.statSync(path.join(dir, name)).size).toBeLessThanOrEqual(100);
    expect(errors).toEqual([]);
  });

  it('continues an existing file, tightens its mode, and never follows a symlink', () => {
    const file = path.join(dir, 'nanoclaw.log');
    fs.writeFileSync(file, 'old\n', { mode: 0o644 });
    const kept = new RotatingFile({ path: file, maxBytes: 1000, files: 2, onError: () => {} });
    kept.write('new\n');
    kept.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('old\nnew\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const target = path.join(dir, 'elsewhere');
    fs.writeFileSync(target, '');
    const link = path.join(dir, 'linked.log');
    fs.symlinkSync(target, link);
    const errors: string[] = [];
    const refused = new RotatingFile({
      path: link,
      maxBytes: 1000,
      files: 2,
      onError: (m) => errors.push(m),
    });
    refused.write('must not arrive\n');
    expect(fs.readFileSync(target, 'utf8')).toBe('');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/log file .*linked\.log cannot be written .*stderr only/);
  });
});
