/**
 * A group's folders on the host: its workspace (with CLAUDE.md memory), the global memory and
 * its Claude home. Paths are built only from validated folder names and checked to stay inside
 * the data directory. Created dirs are handed to the sandbox uid, which must be able to write.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { validateFolder } from '../store/groups.js';
import { readAgentFile, UnsafeAgentFileError } from './agent-files.js';
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

/** Creates the group's folders and memory file if missing; idempotent. */
export function prepareGroupDirs(
  config: Config,
  group: { folder: string; isMain: boolean },
): GroupPaths {
  const paths = groupPaths(config, group.folder);
  const owner = config.sandboxUser;
  ensureDir(paths.globalDir, owner);
  ensureDir(paths.groupDir, owner);
  ensureDir(paths.claudeHome, owner);
  ensureFile(
    path.join(paths.groupDir, 'CLAUDE.md'),
    memoryTemplate(config.assistantName, group.isMain),
    owner,
  );
  ensureFile(
    path.join(paths.globalDir, 'CLAUDE.md'),
    `# Shared memory\n\nNotes here are shared with every group.\n`,
    owner,
  );
  installContainerSkills(containerSkillsDir(config.appRoot), paths.claudeHome);
  return paths;
}

function ensureDir(dir: string, owner: { uid: number; gid: number }): void {
  if (fs.existsSync(dir)) return;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownIfRoot(dir, owner);
}

/**
 * Creates a file the agent may later replace. O_EXCL never follows a planted symlink, and the
 * owner is set on the open fd: a chown by path could be redirected to a host file by a swap.
 */
function ensureFile(file: string, content: string, owner: { uid: number; gid: number }): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o640);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw error;
  }
  try {
    if (process.getuid?.() === 0) fs.fchownSync(fd, owner.uid, owner.gid);
    fs.writeSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}

function chownIfRoot(target: string, owner: { uid: number; gid: number }): void {
  if (process.getuid?.() === 0) fs.chownSync(target, owner.uid, owner.gid);
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
    log.warn({ reason: error.message }, 'global memory refused');
    return '';
  }
}
