/**
 * `nanoclaw tasks` in-process over a temp data directory (real SQLite): readable output in the
 * user's time zone, durations for --every, and clear errors for bad input.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { openStore } from '../host.js';
import type { CliContext } from './index.js';
import { tasksCommand } from './tasks.js';

describe('nanoclaw tasks', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  const run = async (...args: string[]) => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const ctx: CliContext = {
      argv: ['tasks', ...args],
      env,
      appRoot: process.cwd(),
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
    };
    const code = await tasksCommand(args, ctx);
    return { code, out };
  };
  const idOf = (text: string) => /task-[0-9a-f]{8}/.exec(text)?.[0] ?? '';

  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-tasks-cli-'));
    env = { NANOCLAW_HOME: home, TZ: 'America/New_York' };
    const store = openStore(loadConfig(env, process.cwd()));
    store.groups.ensure({ folder: 'main', name: 'Main', isMain: true }, new Date());
    store.groups.ensure({ folder: 'family', name: 'Family', isMain: false }, new Date());
    store.db.close();
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  it('adds, lists and shows tasks with times on the user’s clock', async () => {
    const added = await run(
      'add',
      '--group',
      'family',
      '--at',
      '2099-12-01T09:00',
      '--prompt',
      'Remind me\nabout the tree',
    );
    expect(added.code).toBe(0);
    expect(added.out).toMatch(
      /^Scheduled task-[0-9a-f]{8} for group family; next run 2099-12-01 09:00 \(America\/New_York\)\.$/m,
    );
    const id = idOf(added.out);
    const list = await run('list');
    expect(list.out).toMatch(/^ID\s+GROUP\s+STATUS\s+SCHEDULE\s+NEXT RUN\s+PROMPT$/m);
    expect(list.out).toContain(`${id}  family  active  once 2099-12-01T09:00  2099-12-01 09:00`);
    expect(list.out).toContain('Remind me about the tree');
    expect(list.out).toContain('(times in America/New_York)');
    expect((await run('list', '--group', 'main')).out).toContain(
      'No scheduled tasks yet. Add one with:\n  nanoclaw tasks add --group main',
    );

    const show = await run('show', id);
    expect(show.out).toMatch(/^Status:\s+active$/m);
    expect(show.out).toMatch(/^Next run:\s+2099-12-01 09:00 \(America\/New_York\)$/m);
    expect(show.out).toContain('No runs yet.');
  });

  it('takes durations for --every and acts on a task by id', async () => {
    const added = await run('add', '--group', 'main', '--every', '1h30m', '--prompt', 'p');
    const id = idOf(added.out);
    expect((await run('show', id)).out).toMatch(/^Schedule:\s+every 1h30m$/m);
    expect((await run('pause', id)).out).toMatch(new RegExp(`^Task ${id}: paused`));
    expect((await run('show', id)).out).toMatch(/^Status:\s+paused \(paused by request\)$/m);
    expect((await run('resume', id)).out).toMatch(new RegExp(`^Task ${id}: active`));
    expect((await run('run', id)).out).toContain('is due now');
    expect((await run('cancel', id)).out).toBe(`Task ${id}: cancelled.\n`);
    await expect(run('show', id)).rejects.toThrow(`No task ${id}.`);
  });

  it('says what is wrong with bad input', async () => {
    const add = (...flags: string[]) => run('add', '--group', 'main', '--prompt', 'p', ...flags);
    await expect(add('--every', '20')).rejects.toThrow(/--every "20" is not a duration/);
    await expect(add('--every', '5s')).rejects.toThrow(/too short: the minimum is 10000 ms/);
    await expect(add('--cron', '0 9 * *')).rejects.toThrow(/has 4 fields; use 5/);
    await expect(add('--at', '2099-02-30T09:00')).rejects.toThrow(/day 30 does not exist/);
    await expect(add('--cron', '0 9 * * *', '--every', '1h')).rejects.toThrow(/exactly one of/);
    await expect(add('--cron', '0 9 * * *', '--context', 'shared')).rejects.toThrow(
      /Invalid task: context_mode/,
    );
    await expect(run('add', '--group', 'nope', '--every', '1h', '--prompt', 'p')).rejects.toThrow(
      'No group "nope".',
    );
    await expect(run('pause')).rejects.toThrow(/Usage: nanoclaw tasks/);
    await expect(run('frobnicate', 'x')).rejects.toThrow(/Unknown subcommand "frobnicate"/);
    expect((await run('help')).code).toBe(0);
  });
});
