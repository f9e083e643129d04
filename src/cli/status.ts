/**
 * `nanoclaw status`: is the assistant running, its channels, groups, live runs, next tasks and
 * what to fix. Asks the running host over its control socket; with the host down, reads the
 * database read-only and says so. Exit 0: running and nothing to fix; 1: something to fix;
 * 3: not running (as service managers do).
 */
import { loadConfig, type Config } from '../config.js';
import { ControlUnreachableError, requestStatus } from '../control/client.js';
import type { StatusReport } from '../control/protocol.js';
import { credentialProblems } from '../credentials.js';
import { findHost } from '../host-lock.js';
import { collectStatus } from '../ops/status.js';
import { openReadOnlyStore } from '../ops/readonly-store.js';
import { noPositionals, parse } from './args.js';
import type { CliContext } from './index.js';
import { renderStatus } from './status-text.js';

export const USAGE =
  'nanoclaw status [--json]\n' +
  '  Whether NanoClaw runs for this NANOCLAW_HOME (pid, uptime, version, sandbox runtime), each\n' +
  "  channel's state, groups with their last activity and live runs, the next tasks, and what to\n" +
  '  fix. With the host stopped it reads the database (read-only) and says so.\n' +
  '  Exit code: 0 running and fine, 1 something to fix, 3 not running.';

export const NOT_RUNNING_EXIT = 3;

/** What the store says, with the host down (or not answering). */
function offline(config: Config, env: NodeJS.ProcessEnv): StatusReport {
  const setupProblems = credentialProblems(config, env);
  const store = openReadOnlyStore(config);
  const base = { home: config.home, assistantName: config.assistantName, setupProblems };
  if (!store) {
    return {
      running: false,
      home: config.home,
      assistantName: config.assistantName,
      channels: [],
      groups: [],
      nextTasks: [],
      problems: [
        ...setupProblems,
        `No database in ${config.home} yet: run \`nanoclaw setup\` or \`nanoclaw start\`.`,
      ],
    };
  }
  try {
    return collectStatus({
      ...base,
      groups: store.groups,
      tasks: store.tasks,
      inspect: store.inspect,
    });
  } finally {
    store.close();
  }
}

export async function statusCommand(args: string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse(args, { json: { type: 'boolean', default: false } }, USAGE);
  noPositionals(positionals, USAGE);
  const config = loadConfig(ctx.env, ctx.appRoot);
  const host = findHost(config.home);
  let report: StatusReport;
  let note: string | undefined;
  if (host.running) {
    try {
      report = await requestStatus(config.home);
    } catch (error) {
      if (!(error instanceof ControlUnreachableError)) throw error;
      const who = host.record ? `process ${host.record.pid}` : 'a process';
      note = `NanoClaw (${who}) holds ${config.home} but its control socket does not answer (still starting, or an older version): showing what the database says.`;
      report = offline(config, ctx.env);
    }
  } else {
    report = offline(config, ctx.env);
  }
  if (values.json) ctx.stdout.write(`${JSON.stringify(note ? { ...report, note } : report)}\n`);
  else ctx.stdout.write(renderStatus(report, Date.now(), note));
  if (!report.running && !host.running) return NOT_RUNNING_EXIT;
  return report.problems.length > 0 ? 1 : 0;
}
