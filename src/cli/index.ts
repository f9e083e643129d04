/**
 * `nanoclaw <command>`: the operator's entry point. Parses arguments, dispatches, and turns
 * UserErrors into a plain message and exit code 2 (never a stack trace for a user mistake).
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ConfigError, UserError, errorMessage } from '../errors.js';
import { runCommand } from './run.js';
import { imageCommand } from './image.js';
import { groupsCommand } from './groups.js';
import { startCommand } from './start.js';
import { chatCommand } from './chat.js';
import { tasksCommand } from './tasks.js';
import { mountsCommand } from './mounts.js';
import { auditCommand } from './audit.js';
import { sendersCommand } from './senders.js';
import { egressCommand } from './egress.js';
import { skillsCommand } from './skills.js';

const USAGE = `Usage: nanoclaw <command> [options]

Commands:
  start                                         Start the assistant (web chat, channels, sandboxes)
  chat [--chat web:main]                        Talk to the running assistant from the terminal
  run [--group <folder>] [--verbose] <prompt>   Run one agent turn in a sandbox; print the answer
  groups list                                   List registered groups
  groups add <folder> [--chat <id>] [--trigger <word>] [--no-trigger]
                                                Register a (non-main) group
  groups remove <folder>                        Unregister a group (its files stay)
  tasks list|show|add|pause|resume|cancel|run   Scheduled tasks (nanoclaw tasks help)
  mounts check|list|add|remove                  Extra host folders for a group (allowlisted)
  audit [--group G] [--limit N] [--json]        Sandbox runs and host API decisions, newest first
  senders show|set <folder> --allow ...         Who may wake a group's agent (sender policy)
  egress show|set <folder> --mode ...           Where a group's sandbox may connect
  skills [list]                                 Skills you can add (and which are applied)
  skills add|remove <name> [--yes] [--set K=V]  Apply or remove a skill as one git commit
  image build [--engine docker|podman] [--base <image>] [--tag <image>]
                                                Build the agent image for Docker/Podman
  help                                          Show this help

Settings come from the environment and $NANOCLAW_HOME/.env (see README.md).`;

export interface CliContext {
  argv: string[];
  env: NodeJS.ProcessEnv;
  /** Root of the installed NanoClaw (holds dist/ and node_modules/). */
  appRoot: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export async function main(ctx: CliContext): Promise<number> {
  const [command, ...rest] = ctx.argv;
  switch (command) {
    case 'start':
      return startCommand(rest, ctx);
    case 'run':
      return runCommand(rest, ctx);
    case 'chat':
      return chatCommand(rest, ctx);
    case 'tasks':
      return tasksCommand(rest, ctx);
    case 'mounts':
      return mountsCommand(rest, ctx);
    case 'audit':
      return auditCommand(rest, ctx);
    case 'senders':
      return sendersCommand(rest, ctx);
    case 'egress':
      return egressCommand(rest, ctx);
    case 'groups':
      return groupsCommand(rest, ctx);
    case 'image':
      return imageCommand(rest, ctx);
    case 'skills':
      return skillsCommand(rest, ctx);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      ctx.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new UserError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ctx: CliContext = {
  argv: process.argv.slice(2),
  env: process.env,
  appRoot,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
};
main(ctx).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UserError || error instanceof ConfigError) {
      ctx.stderr.write(`nanoclaw: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    ctx.stderr.write(`nanoclaw: unexpected error: ${errorMessage(error)}\n`);
    if (error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
