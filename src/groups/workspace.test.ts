/**
 * Group folders on a real filesystem, against an agent that planted symlinks where the host
 * reads or creates memory files.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { silentLogger } from '../log.js';
import { prepareGroupDirs, readGlobalMemory } from './workspace.js';

describe('group workspace', () => {
  let home: string;
  let config: Config;
  let secret: string;

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-ws-'));
    config = loadConfig({ NANOCLAW_HOME: home }, process.cwd());
    secret = path.join(home, 'host-secret');
    fs.writeFileSync(secret, 'sk-host-secret');
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('creates the folders and memory files once, and reads the global memory', () => {
    const paths = prepareGroupDirs(config, { folder: 'main', isMain: true });
    expect(fs.readFileSync(path.join(paths.groupDir, 'CLAUDE.md'), 'utf8')).toContain('main group');
    expect(readGlobalMemory(paths, silentLogger())).toContain('Shared memory');
  });

  it('never reads a global memory that is a planted symlink (to a host secret)', () => {
    const paths = prepareGroupDirs(config, { folder: 'main', isMain: true });
    fs.rmSync(path.join(paths.globalDir, 'CLAUDE.md'));
    fs.symlinkSync(secret, path.join(paths.globalDir, 'CLAUDE.md'));
    expect(readGlobalMemory(paths, silentLogger())).toBe('');
  });

  it('does not write through a planted symlink when it recreates a memory file', () => {
    const paths = prepareGroupDirs(config, { folder: 'family', isMain: false });
    const memory = path.join(paths.groupDir, 'CLAUDE.md');
    fs.rmSync(memory);
    const target = path.join(home, 'would-be-created');
    fs.symlinkSync(target, memory);
    prepareGroupDirs(config, { folder: 'family', isMain: false });
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.lstatSync(memory).isSymbolicLink()).toBe(true);
  });

  it('reads a global memory that became a FIFO as empty, at once, with one log line', () => {
    const paths = prepareGroupDirs(config, { folder: 'main', isMain: true });
    fs.rmSync(path.join(paths.globalDir, 'CLAUDE.md'));
    execFileSync('mkfifo', [path.join(paths.globalDir, 'CLAUDE.md')]);
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    // A blocking open would hang here (and the test would time out).
    expect(readGlobalMemory(paths, log)).toBe('');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      folder: 'global',
      file: 'CLAUDE.md',
      reason: 'is a FIFO (named pipe), not a regular file',
    });
    // Preparing the folders again leaves the planted FIFO alone (never opened for writing).
    prepareGroupDirs(config, { folder: 'main', isMain: true });
    expect(fs.lstatSync(path.join(paths.globalDir, 'CLAUDE.md')).isFIFO()).toBe(true);
  });
});
