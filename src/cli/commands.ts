/**
 * The command table: what `nanoclaw <command>` runs, its one-line summary and its usage. The
 * top-level help is built from this table, so it lists exactly the commands that dispatch, and
 * `--help` is answered here for every command before it runs (no data directory is touched).
 */
import { UserError } from '../errors.js';
import { version } from '../version.js';
import { wantsHelp } from './args.js';
import { auditCommand, USAGE as AUDIT } from './audit.js';
import { BACKUP_USAGE, backupCommand, RESTORE_USAGE, restoreCommand } from './backup.js';
import { budgetCommand, USAGE as BUDGET } from './budget.js';
import { chatCommand, USAGE as CHAT } from './chat.js';
import { doctorCommand, USAGE as DOCTOR } from './doctor.js';
import { channelsCommand, USAGE as CHANNELS } from './channels.js';
import { chatsCommand, CHATS_USAGE, pairCommand, PAIR_USAGE } from './chats.js';
import { egressCommand, USAGE as EGRESS } from './egress.js';
import { groupsCommand, USAGE as GROUPS } from './groups.js';
import { imageCommand, USAGE as IMAGE } from './image.js';
import { logsCommand, USAGE as LOGS } from './logs.js';
import type { CliContext } from './index.js';
import { mountsCommand, USAGE as MOUNTS } from './mounts.js';
import { runCommand, USAGE as RUN } from './run.js';
import { sendersCommand, USAGE as SENDERS } from './senders.js';
import { serviceCommand, USAGE as SERVICE } from './service.js';
import { setupCommand, USAGE as SETUP } from './setup.js';
import { skillsCommand, USAGE as SKILLS } from './skills.js';
import { startCommand, USAGE as START } from './start.js';
import { statusCommand, USAGE as STATUS } from './status.js';
import { tasksCommand, USAGE as TASKS } from './tasks.js';
import { whyCommand, USAGE as WHY } from './why.js';
import { usageCommand, USAGE as USAGE_HELP } from './usage.js';
import { uninstallCommand, USAGE as UNINSTALL } from './uninstall.js';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

export const COMMANDS: Readonly<Record<string, Command>> = {
  setup: {
    summary: 'Set up step by step: runtime, model, name, channel, mounts, service, a first turn',
    usage: SETUP,
    run: setupCommand,
  },
  start: {
    summary: 'Start the assistant (web chat, channels, scheduler, sandboxes)',
    usage: START,
    run: startCommand,
  },
  chat: {
    summary: 'Talk to the running assistant from the terminal',
    usage: CHAT,
    run: chatCommand,
  },
  run: {
    summary: 'Run one agent turn in a sandbox; print the answer',
    usage: RUN,
    run: runCommand,
  },
  groups: {
    summary: 'List, register and remove groups; link more chats to a group',
    usage: GROUPS,
    run: groupsCommand,
  },
  channels: {
    summary: 'Each channel of the running assistant and its connection state',
    usage: CHANNELS,
    run: channelsCommand,
  },
  chats: {
    summary: 'Chats the channels have seen that no group has yet',
    usage: CHATS_USAGE,
    run: chatsCommand,
  },
  pair: {
    summary: 'A one-time code that makes your DM with the bot a chat of main',
    usage: PAIR_USAGE,
    run: pairCommand,
  },
  tasks: { summary: 'Scheduled tasks', usage: TASKS, run: tasksCommand },
  mounts: {
    summary: 'Extra host folders for a group (only what the allowlist allows)',
    usage: MOUNTS,
    run: mountsCommand,
  },
  senders: {
    summary: "Who may wake a group's agent (sender policy)",
    usage: SENDERS,
    run: sendersCommand,
  },
  egress: { summary: "Where a group's sandbox may connect", usage: EGRESS, run: egressCommand },
  usage: {
    summary: 'Model usage: tokens and cost per group, task, model, channel or day',
    usage: USAGE_HELP,
    run: usageCommand,
  },
  budget: {
    summary: 'Model budgets per group or for all groups (USD or tokens, daily or monthly)',
    usage: BUDGET,
    run: budgetCommand,
  },
  audit: {
    summary: 'Sandbox runs and host API decisions, newest first',
    usage: AUDIT,
    run: auditCommand,
  },
  skills: {
    summary: 'Skills you can add (channels, tools…), and add or remove one as a git commit',
    usage: SKILLS,
    run: skillsCommand,
  },
  image: {
    summary: 'Build the agent image for Docker/Podman/Apple',
    usage: IMAGE,
    run: imageCommand,
  },
  status: {
    summary: 'Is it running; channels, groups, live runs, next tasks, what to fix',
    usage: STATUS,
    run: statusCommand,
  },
  logs: {
    summary: 'The host log, readable and filtered; -f follows it',
    usage: LOGS,
    run: (args, ctx) => logsCommand(args, ctx),
  },
  why: {
    summary: 'What happened to a message: trigger, sender policy, run, reply, errors',
    usage: WHY,
    run: whyCommand,
  },
  backup: {
    summary: 'Back up the database, groups, sessions and allowlist into one archive',
    usage: BACKUP_USAGE,
    run: backupCommand,
  },
  restore: {
    summary: 'Restore a backup into an empty data directory',
    usage: RESTORE_USAGE,
    run: restoreCommand,
  },
  doctor: {
    summary: 'Check everything NanoClaw needs; each problem with its exact fix',
    usage: DOCTOR,
    run: doctorCommand,
  },
  service: {
    summary: 'Run it every day: install, uninstall, status or restart the service',
    usage: SERVICE,
    run: serviceCommand,
  },
  uninstall: {
    summary: 'Remove what this installation made (service, sandboxes, image, data)',
    usage: UNINSTALL,
    run: uninstallCommand,
  },
};

const HELP_SUMMARY = "Show this help, or one command's usage: nanoclaw help <command>";

export function topLevelHelp(): string {
  const rows = [
    ...Object.entries(COMMANDS).map(([name, c]) => [name, c.summary]),
    ['help', HELP_SUMMARY],
  ];
  const width = Math.max(...rows.map(([name]) => (name ?? '').length)) + 2;
  const lines = rows.map(([name, summary]) => `  ${(name ?? '').padEnd(width)}${summary}`);
  return (
    `Usage: nanoclaw <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n` +
    'Every command takes --help (e.g. nanoclaw tasks --help); nanoclaw --version prints the version.\n' +
    'Settings come from the environment and $NANOCLAW_HOME/.env (see README.md).\n'
  );
}

export { version };

export async function dispatch(argv: readonly string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    ctx.stdout.write(topLevelHelp());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    ctx.stdout.write(`nanoclaw ${version(ctx.appRoot)}\n`);
    return 0;
  }
  if (name === 'help') {
    const [topic] = rest;
    const command = topic === undefined ? undefined : lookup(topic);
    ctx.stdout.write(command ? `Usage: ${command.usage}\n` : topLevelHelp());
    return 0;
  }
  const command = lookup(name);
  if (wantsHelp(rest)) {
    ctx.stdout.write(`Usage: ${command.usage}\n`);
    return 0;
  }
  return command.run(rest, ctx);
}

function lookup(name: string): Command {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) throw new UserError(`Unknown command "${name}".\n\n${topLevelHelp()}`);
  return command;
}
