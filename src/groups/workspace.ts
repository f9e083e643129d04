/**
 * A group's folders on the host: its workspace (with CLAUDE.md memory), the global memory and
 * its Claude home. Paths are built only from validated folder names and checked to stay inside
 * the data directory. Created dirs are handed to the sandbox uid, which must be able to write.
 */
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { validateFolder } from '../store/groups.js';
import {
  createAgentFile,
  ensureAgentDir,
  readAgentFile,
  UnsafeAgentFileError,
} from './agent-files.js';
import { containerSkillsDir, installContainerSkills } from './container-skills.js';

export interface GroupPaths {
  groupDir: string;
  globalDir: string;
  claudeHome: string;
}

export function groupPaths(config: Config, folder: string): GroupPaths {
  validateFolder(folder);
  return {
    groupDir: inside(config.paths.groups, folder),
    globalDir: path.join(config.paths.groups, 'global'),
    claudeHome: inside(config.paths.sessions, folder),
  };
}

function inside(base: string, name: string): string {
  const full = path.resolve(base, name);
  if (path.dirname(full) !== path.resolve(base)) {
    throw new Error(`path ${name} escapes ${base}`);
  }
  return full;
}

export function memoryTemplate(assistantName: string, isMain: boolean): string {
  const role = isMain
    ? 'This is the main group: the owner talks to you here and can ask you to manage other groups.'
    : 'This is a group chat. Answer the people here; keep replies short.';
  return `# ${assistantName}\n\nYou are ${assistantName}, a personal assistant.\n${role}\n\n## Memory\n\nWrite things worth remembering about this group below.\n`;
}

/** Who owns what the host creates in agent folders: the sandbox uid when the host is root. */
export function agentFileOwner(config: Config): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? config.sandboxUser : undefined;
}

/**
 * Creates the group's folders and memory files if missing; idempotent. Everything goes through
 * the agent-files helper: these folders are agent-writable, so whatever is planted there (a
 * symlink, a FIFO where CLAUDE.md was) is left alone, never followed or opened.
 */
export function prepareGroupDirs(
  config: Config,
  group: { folder: string; isMain: boolean },
): GroupPaths {
  const paths = groupPaths(config, group.folder);
  const owner = agentFileOwner(config);
  ensureAgentDir(paths.globalDir, owner);
  ensureAgentDir(paths.groupDir, owner);
  ensureAgentDir(paths.claudeHome, owner);
  createAgentFile(
    paths.groupDir,
    'CLAUDE.md',
    memoryTemplate(config.assistantName, group.isMain),
    owner,
  );
  createAgentFile(
    paths.globalDir,
    'CLAUDE.md',
    `# Shared memory\n\nNotes here are shared with every group.\n`,
    owner,
  );
  installContainerSkills(containerSkillsDir(config.appRoot), paths.claudeHome);
  return paths;
}

const MAX_GLOBAL_MEMORY_BYTES = 256 * 1024;

/**
 * The global memory text for the system prompt: empty when missing, and empty (with a warning)
 * when it is not a plain file inside the global folder, since main's agent can write there.
 */
export function readGlobalMemory(paths: GroupPaths, log: Logger): string {
  try {
    const content = readAgentFile(paths.globalDir, 'CLAUDE.md', MAX_GLOBAL_MEMORY_BYTES);
    return content?.toString('utf8') ?? '';
  } catch (error) {
    if (!(error instanceof UnsafeAgentFileError)) throw error;
    // One line: which file (relative to its folder) and why; the run goes on without it.
    log.warn({ folder: 'global', file: error.rel, reason: error.reason }, 'global memory refused');
    return '';
  }
}
