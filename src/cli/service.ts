/**
 * `nanoclaw service install|uninstall|status|restart`: runs the assistant every day under the
 * machine's service manager (systemd user or system unit, launchd agent), or as a supervised
 * background process where there is none. `supervise` is that process (started by install).
 */
import { loadConfig } from '../config.js';
import { supervise } from '../service/background.js';
import {
  installService,
  restartService,
  serviceState,
  uninstallService,
} from '../service/control.js';
import { detectManager, readServiceRecord, serviceSpec } from '../service/manager.js';
import { noPositionals, parse, subcommand } from './args.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw service install [--manager systemd|launchd|background]
       nanoclaw service uninstall | status [--json] | restart
  install: a systemd user unit (a system unit as root), a launchd agent on macOS, or a
  supervised background process (pid file in $NANOCLAW_HOME) where neither exists. It
  restarts NanoClaw after a failure; the log is $NANOCLAW_HOME/logs/nanoclaw.log.
  status exits 0 when the service runs, 3 when it is not installed or not running.
  (supervise is the background process install starts; it is not run by hand.)`;

const SUBS = ['install', 'uninstall', 'status', 'restart', 'supervise'] as const;

export async function serviceCommand(args: string[], ctx: CliContext): Promise<number> {
  const [sub, ...rest] = args;
  const action = subcommand(sub, SUBS, USAGE);
  const { values, positionals } = parse(
    rest,
    { manager: { type: 'string' }, json: { type: 'boolean', default: false } },
    USAGE,
  );
  noPositionals(positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const out = (lines: string[]) => ctx.stdout.write(lines.map((l) => `${l}\n`).join(''));
  if (action === 'install') {
    const chosen = detectManager(values.manager);
    ctx.stdout.write(`Service manager: ${chosen.kind} (${chosen.why}).\n`);
    out(await installService(serviceSpec(config, ctx.env, chosen.kind), chosen.kind));
    return 0;
  }
  const kind = readServiceRecord(config.home)?.manager ?? 'background';
  const spec = serviceSpec(config, ctx.env, kind);
  if (action === 'uninstall') out(await uninstallService(spec));
  else if (action === 'restart') out(await restartService(spec));
  else if (action === 'supervise') {
    return supervise(spec, (line) => ctx.stderr.write(`${line}\n`));
  } else {
    const state = serviceState(spec);
    if (values.json) ctx.stdout.write(`${JSON.stringify(state)}\n`);
    else
      out([
        `Service: ${state.detail}`,
        ...(state.installed ? [] : ['Install it: nanoclaw service install']),
      ]);
    return state.installed && state.active ? 0 : 3;
  }
  return 0;
}
