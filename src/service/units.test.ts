/**
 * The generated service files: systemd units are checked by systemd itself (`systemd-analyze
 * verify`, which also requires ExecStart's binary to exist), the launchd plist is parsed back
 * with a tiny plist reader and checked key by key.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseManager, type ManagerFacts } from './manager.js';
import { isSupervisor, restartDelay } from './background.js';
import {
  launchdLabel,
  launchdPlist,
  systemdQuote,
  systemdUnit,
  type ServiceSpec,
} from './units.js';

const APP = path.resolve(import.meta.dirname, '..', '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-units-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name: 'nanoclaw-test',
  node: fs.realpathSync(process.execPath),
  cli: path.join(APP, 'bin', 'nanoclaw.js'),
  appRoot: APP,
  // A space, a percent sign and a dollar: all need systemd's quoting.
  home: path.join(dir, 'my home %h $HOME'),
  pathEnv: '/usr/local/bin:/usr/bin:/bin',
  scope: 'user',
  ...over,
});

function verify(unit: string, scope: 'user' | 'system') {
  const file = path.join(dir, `${scope}-${Math.random().toString(36).slice(2)}.service`);
  fs.writeFileSync(file, unit);
  const runtime = path.join(dir, 'xdg');
  fs.mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const args = [...(scope === 'user' ? ['--user'] : []), 'verify', file];
  return spawnSync('systemd-analyze', args, {
    encoding: 'utf8',
    env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_LEVEL: 'warning' },
  });
}

describe('systemd units', () => {
  it.each(['user', 'system'] as const)('a %s unit passes systemd-analyze verify', (scope) => {
    const result = verify(systemdUnit(spec({ scope })), scope);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('the verifier is real: a unit whose binary is missing fails', () => {
    const result = verify(systemdUnit(spec({ node: path.join(dir, 'no-such-node') })), 'system');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('no-such-node');
  });

  it('restarts on failure, stops with time to spare, and names the data directory', () => {
    const unit = systemdUnit(spec({ scope: 'system' }));
    expect(unit).toContain('Restart=on-failure');
    expect(unit).toContain('WantedBy=multi-user.target');
    expect(unit).toContain('After=network-online.target');
    expect(unit).toContain(`Environment="NANOCLAW_HOME=${dir}/my home %%h $$HOME"`);
    expect(systemdUnit(spec())).toContain('WantedBy=default.target');
  });

  it('quotes only what needs it', () => {
    expect(systemdQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(systemdQuote('a b')).toBe('"a b"');
    expect(systemdQuote('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
  });
});

type Plist = string | boolean | number | Plist[] | { [key: string]: Plist };

/** A small reader for the plist subset we write: dict, array, string, integer, true, false. */
function parsePlist(xml: string): Plist {
  const tokens = [
    ...xml
      .replace(/<\?xml[^>]*>|<!DOCTYPE[^>]*>/g, '')
      .matchAll(/<(\/?)(\w+)(?:\s[^>]*?)?(\/?)>([^<]*)/g),
  ];
  let i = 0;
  const unescape = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const value = (): Plist => {
    const [, close, tag, selfClose, text] = tokens[i++] ?? [];
    if (close) throw new Error(`unexpected </${tag}>`);
    if (tag === 'true' && selfClose) return true;
    if (tag === 'false' && selfClose) return false;
    if (tag === 'string' || tag === 'integer') {
      const raw = unescape(text ?? '');
      i++; // its closing tag
      return tag === 'integer' ? Number(raw) : raw;
    }
    if (tag === 'array') {
      const items: Plist[] = [];
      while (!tokens[i]?.[1]) items.push(value());
      i++;
      return items;
    }
    if (tag === 'dict') {
      const out: Record<string, Plist> = {};
      while (!tokens[i]?.[1]) {
        const key = tokens[i]?.[4];
        if (tokens[i]?.[2] !== 'key' || key === undefined) throw new Error('dict without key');
        i += 2;
        out[unescape(key)] = value();
      }
      i++;
      return out;
    }
    throw new Error(`unknown tag ${tag}`);
  };
  const [, , root] = tokens[i++] ?? [];
  if (root !== 'plist') throw new Error('not a plist');
  return value();
}

describe('launchd plist', () => {
  it('parses back to a KeepAlive-on-failure agent that runs nanoclaw start', () => {
    const s = spec({ home: path.join(dir, 'a & b <c>') });
    const plist = parsePlist(launchdPlist(s)) as Record<string, Plist>;
    expect(plist).toEqual({
      Label: 'com.nanoclaw.agent-test',
      ProgramArguments: [s.node, s.cli, 'start'],
      WorkingDirectory: APP,
      EnvironmentVariables: { NANOCLAW_HOME: s.home, PATH: s.pathEnv, LOG_FORMAT: 'json' },
      RunAtLoad: true,
      KeepAlive: { SuccessfulExit: false },
      ThrottleInterval: 10,
      StandardOutPath: path.join(s.home, 'logs', 'service.log'),
      StandardErrorPath: path.join(s.home, 'logs', 'service.log'),
    });
    expect(launchdLabel('nanoclaw')).toBe('com.nanoclaw.agent');
  });

  it('the parser is real: a broken plist is refused', () => {
    expect(() => parsePlist('<plist><dict><string>x</string></dict></plist>')).toThrow(
      /without key/,
    );
  });
});

describe('manager choice and the fallback supervisor', () => {
  const linux: ManagerFacts = {
    platform: 'linux',
    isRoot: false,
    systemdBooted: true,
    userManager: true,
  };

  it('systemd user unit for a user, system unit for root, launchd on macOS, else background', () => {
    expect(chooseManager(linux).kind).toBe('systemd-user');
    expect(chooseManager({ ...linux, isRoot: true }).kind).toBe('systemd-system');
    expect(chooseManager({ ...linux, platform: 'darwin' }).kind).toBe('launchd');
    expect(chooseManager({ ...linux, systemdBooted: false }).kind).toBe('background');
    expect(chooseManager({ ...linux, userManager: false }).kind).toBe('background');
    expect(chooseManager(linux, 'background').kind).toBe('background');
  });

  it('an impossible request says what to do instead', () => {
    expect(() => chooseManager({ ...linux, userManager: false }, 'systemd')).toThrow(
      /enable-linger/,
    );
    expect(() => chooseManager(linux, 'launchd')).toThrow(/macOS/);
    expect(() => chooseManager(linux, 'cron')).toThrow(/Unknown manager/);
  });

  it('backs off a crash loop, and recognizes only its own supervisor in /proc', () => {
    expect([0, 1, 2, 10].map((n) => restartDelay(n, 100))).toEqual([1000, 2000, 4000, 60_000]);
    expect(restartDelay(10, 120_000)).toBe(1000);
    const cli = '/app/bin/nanoclaw.js';
    expect(isSupervisor(['/usr/bin/node', cli, 'service', 'supervise', ''].join('\0'), cli)).toBe(
      true,
    );
    expect(isSupervisor(['/usr/bin/node', cli, 'start', ''].join('\0'), cli)).toBe(false);
    expect(
      isSupervisor(['/usr/bin/node', '/other/nanoclaw.js', 'service', 'supervise'].join('\0'), cli),
    ).toBe(false);
  });
});
