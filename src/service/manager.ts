/**
 * Which service manager runs NanoClaw here, and where its file goes. `chooseManager` is the pure
 * decision; `detectManager` gathers its facts. What `service install` set up is recorded in
 * `$NANOCLAW_HOME/service.json` (owner-only), so status, uninstall and doctor read the truth
 * instead of guessing again.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { defaultHome, type Config } from '../config.js';
import { UserError } from '../errors.js';
import { instanceId } from '../host.js';
import { launchdLabel, serviceName, type ServiceSpec } from './units.js';

export const MANAGERS = ['systemd-user', 'systemd-system', 'launchd', 'background'] as const;
export type ManagerKind = (typeof MANAGERS)[number];

export interface ManagerFacts {
  platform: NodeJS.Platform;
  isRoot: boolean;
  /** /run/systemd/system exists: systemd is PID 1. */
  systemdBooted: boolean;
  /** `systemctl --user` reaches a user manager (a login session or lingering). */
  userManager: boolean;
}

/** Pure: the manager to use; `requested` (--manager) wins when it can work. */
export function chooseManager(
  facts: ManagerFacts,
  requested?: string,
): { kind: ManagerKind; why: string } {
  if (requested === 'background') return { kind: 'background', why: 'asked for (--manager)' };
  if (requested === 'launchd' || (requested === undefined && facts.platform === 'darwin')) {
    if (facts.platform !== 'darwin') throw new UserError('launchd exists only on macOS.');
    return { kind: 'launchd', why: 'macOS' };
  }
  if (requested !== undefined && requested !== 'systemd') {
    throw new UserError(`Unknown manager "${requested}": use systemd, launchd or background.`);
  }
  if (facts.platform === 'linux' && facts.systemdBooted) {
    if (facts.isRoot) return { kind: 'systemd-system', why: 'systemd, running as root' };
    if (facts.userManager) return { kind: 'systemd-user', why: 'systemd user manager' };
  }
  if (requested === 'systemd') {
    throw new UserError(
      'systemd is not usable here (not PID 1, or no user manager for this login: run ' +
        '`loginctl enable-linger $USER` and log in again). Use --manager background instead.',
    );
  }
  return { kind: 'background', why: 'no systemd or launchd here: a background process' };
}

export function detectManager(requested?: string): { kind: ManagerKind; why: string } {
  const isRoot = process.getuid?.() === 0;
  const userManager =
    !isRoot &&
    spawnSync('systemctl', ['--user', 'show-environment'], { stdio: 'ignore' }).status === 0;
  return chooseManager(
    {
      platform: process.platform,
      isRoot,
      systemdBooted: fs.existsSync('/run/systemd/system'),
      userManager,
    },
    requested,
  );
}

/** Where the manager's file lives (background: the pid file in the data directory). */
export function serviceFile(kind: ManagerKind, name: string, home: string): string {
  if (kind === 'systemd-user')
    return path.join(os.homedir(), '.config', 'systemd', 'user', `${name}.service`);
  if (kind === 'systemd-system') return path.join('/etc/systemd/system', `${name}.service`);
  if (kind === 'launchd')
    return path.join(os.homedir(), 'Library', 'LaunchAgents', `${launchdLabel(name)}.plist`);
  return pidFile(home);
}

export const pidFile = (home: string) => path.join(home, 'nanoclaw.pid');
const recordFile = (home: string) => path.join(home, 'service.json');

const RecordSchema = z.object({
  manager: z.enum(MANAGERS),
  name: z.string().min(1),
  file: z.string().min(1),
  installedAt: z.string(),
});
export type ServiceRecord = z.infer<typeof RecordSchema>;

export function readServiceRecord(home: string): ServiceRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(recordFile(home), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(
      `${recordFile(home)} is not JSON; delete it and run nanoclaw service install.`,
      {},
      { cause: error },
    );
  }
  const parsed = RecordSchema.safeParse(json);
  if (!parsed.success) {
    throw new UserError(
      `${recordFile(home)} is not a service record; delete it and run nanoclaw service install.`,
    );
  }
  return parsed.data;
}

export function writeServiceRecord(home: string, record: ServiceRecord): void {
  fs.mkdirSync(home, { recursive: true, mode: 0o711 });
  fs.writeFileSync(recordFile(home), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export function removeServiceRecord(home: string): void {
  fs.rmSync(recordFile(home), { force: true });
}

/** The service's spec for this installation (the host's own Node and CLI, this PATH). */
export function serviceSpec(
  config: Config,
  env: NodeJS.ProcessEnv,
  kind: ManagerKind,
): ServiceSpec {
  const isDefault = path.resolve(defaultHome({})) === config.home;
  return {
    name: serviceName(isDefault, instanceId(config.home)),
    node: fs.realpathSync(process.execPath),
    cli: path.join(config.appRoot, 'bin', 'nanoclaw.js'),
    appRoot: config.appRoot,
    home: config.home,
    pathEnv: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    scope: kind === 'systemd-system' ? 'system' : 'user',
  };
}
