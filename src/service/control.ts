/**
 * install / uninstall / status / restart over the four managers. systemd and launchd are driven
 * through their own CLIs (systemctl, launchctl); the fallback through background.ts. Each action
 * returns lines for the user, including what to do next (lingering for a systemd user unit).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { findHost } from '../host-lock.js';
import { startBackground, stopBackground, supervisorPid } from './background.js';
import {
  readServiceRecord,
  removeServiceRecord,
  serviceFile,
  writeServiceRecord,
  type ManagerKind,
  type ServiceRecord,
} from './manager.js';
import { launchdLabel, launchdPlist, systemdUnit, type ServiceSpec } from './units.js';

export interface ServiceState {
  installed: boolean;
  manager?: ManagerKind;
  /** The manager says it is running (background: the supervisor is alive). */
  active: boolean;
  /** The host process holding the data directory, if any. */
  hostPid?: number;
  detail: string;
}

function sh(command: string, args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  return {
    ok: r.status === 0,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || String(r.error ?? ''),
  };
}

function must(command: string, args: string[]): void {
  const r = sh(command, args);
  if (!r.ok) throw new UserError(`\`${command} ${args.join(' ')}\` failed: ${r.out}`);
}

const systemctl = (kind: ManagerKind) => (kind === 'systemd-user' ? ['--user'] : []);
const uid = () => process.getuid?.() ?? 501;

export async function installService(spec: ServiceSpec, kind: ManagerKind): Promise<string[]> {
  const file = serviceFile(kind, spec.name, spec.home);
  const record: ServiceRecord = {
    manager: kind,
    name: spec.name,
    file,
    installedAt: new Date().toISOString(),
  };
  if (kind === 'background') {
    writeServiceRecord(spec.home, record);
    const pid = await startBackground(spec);
    return [
      `Started NanoClaw in the background (supervisor pid ${pid}, pid file ${file}); it restarts after a failure.`,
      'Without systemd or launchd nothing starts it at boot: run `nanoclaw service restart` after a reboot (or add it to your login script).',
    ];
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (kind === 'launchd') {
    fs.writeFileSync(file, launchdPlist(spec), { mode: 0o644 });
    sh('launchctl', ['bootout', `gui/${uid()}/${launchdLabel(spec.name)}`]);
    must('launchctl', ['bootstrap', `gui/${uid()}`, file]);
    writeServiceRecord(spec.home, record);
    return [`Installed ${file}; launchd starts NanoClaw at login and restarts it after a failure.`];
  }
  fs.writeFileSync(file, systemdUnit(spec), { mode: 0o644 });
  must('systemctl', [...systemctl(kind), 'daemon-reload']);
  must('systemctl', [...systemctl(kind), 'enable', '--now', `${spec.name}.service`]);
  writeServiceRecord(spec.home, record);
  const lines = [`Installed ${file} and started it; systemd restarts NanoClaw after a failure.`];
  if (kind === 'systemd-user') {
    lines.push(
      'A user unit runs while you are logged in. To keep it running after logout and start it at ' +
        'boot, enable lingering once: loginctl enable-linger $USER',
    );
  }
  return lines;
}

export async function uninstallService(spec: ServiceSpec): Promise<string[]> {
  const record = readServiceRecord(spec.home);
  if (!record) return ['No service is installed for this data directory.'];
  if (record.manager === 'background') await stopBackground(spec);
  else if (record.manager === 'launchd') {
    sh('launchctl', ['bootout', `gui/${uid()}/${launchdLabel(record.name)}`]);
    fs.rmSync(record.file, { force: true });
  } else {
    sh('systemctl', [...systemctl(record.manager), 'disable', '--now', `${record.name}.service`]);
    fs.rmSync(record.file, { force: true });
    sh('systemctl', [...systemctl(record.manager), 'daemon-reload']);
  }
  removeServiceRecord(spec.home);
  return [`Removed the ${record.manager} service (${record.file}); NanoClaw is stopped.`];
}

export async function restartService(spec: ServiceSpec): Promise<string[]> {
  const record = readServiceRecord(spec.home);
  if (!record) throw new UserError('No service is installed: run nanoclaw service install first.');
  if (record.manager === 'background') {
    await stopBackground(spec);
    const pid = await startBackground(spec);
    return [`Restarted the background service (supervisor pid ${pid}).`];
  }
  if (record.manager === 'launchd')
    must('launchctl', ['kickstart', '-k', `gui/${uid()}/${launchdLabel(record.name)}`]);
  else must('systemctl', [...systemctl(record.manager), 'restart', `${record.name}.service`]);
  return [`Restarted ${record.name} (${record.manager}).`];
}

export function serviceState(spec: ServiceSpec): ServiceState {
  const record = readServiceRecord(spec.home);
  const host = findHost(spec.home);
  const hostPid = host.running ? host.record?.pid : undefined;
  const withHost = hostPid ? { hostPid } : {};
  if (!record) {
    const detail = host.running
      ? `not installed (a host runs in the foreground, pid ${hostPid ?? '?'})`
      : 'not installed';
    return { installed: false, active: false, ...withHost, detail };
  }
  let active: boolean;
  if (record.manager === 'background') active = supervisorPid(spec) !== undefined;
  else if (record.manager === 'launchd')
    active = sh('launchctl', ['print', `gui/${uid()}/${launchdLabel(record.name)}`]).ok;
  else
    active = sh('systemctl', [
      ...systemctl(record.manager),
      'is-active',
      '--quiet',
      `${record.name}.service`,
    ]).ok;
  const state = active ? 'active' : 'inactive';
  const hostPart = hostPid ? `, host pid ${hostPid}` : ', host not running';
  return {
    installed: true,
    manager: record.manager,
    active,
    ...withHost,
    detail: `${record.manager} ${state} (${record.file}${hostPart})`,
  };
}
