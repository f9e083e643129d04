/**
 * The real `nanoclaw` CLI (bin/nanoclaw.js → dist/) as a user meets it: help and usage for every
 * command without touching the data directory, clear messages for wrong input (exit 2), and
 * readable output for empty lists and policies. No sandbox is started here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands.js';
import { APP_ROOT, CLI, runCli, tempHome } from './support/cli.js';

const SUBCOMMAND_HELP = [
  ['tasks', 'add', '--help'],
  ['tasks', 'list', '-h'],
  ['groups', 'add', 'x', '--help'],
  ['senders', '--help'],
  ['senders', 'set', 'main', '--allow', 'all', '-h'],
  ['egress', 'set', '--help'],
  ['mounts', 'check', '/tmp', '--help'],
  ['image', 'build', '-h'],
  ['chat', '--chat', 'web:main', '--help'],
  ['run', '--help'],
  ['start', '--help'],
  ['setup', '--yes', '--json', '--help'],
  ['service', 'install', '--manager', 'background', '--help'],
  ['uninstall', '--yes', '--help'],
];

describe('nanoclaw CLI', () => {
  let base: string;
  let env: Record<string, string>;

  beforeAll(() => {
    base = tempHome('nanoclaw-cli-');
    const allowlist = path.join(base, 'allowlist.json');
    fs.mkdirSync(path.join(base, 'projects', 'notes'), { recursive: true });
    fs.writeFileSync(
      allowlist,
      JSON.stringify({
        allowedRoots: [{ path: path.join(base, 'projects'), allowReadWrite: true }],
        nonMainReadOnly: true,
      }),
    );
    env = {
      NANOCLAW_HOME: path.join(base, 'data'),
      NANOCLAW_MOUNT_ALLOWLIST: allowlist,
      TZ: 'UTC',
    };
  });

  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it('the top-level help lists exactly the commands that dispatch', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    const section = help.stdout.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
    const listed = section.split('\n').map((line) => /^ {2}(\S+) {2,}/.exec(line)?.[1]);
    expect(listed).toEqual([...Object.keys(COMMANDS), 'help']);
    expect((await runCli([], env)).stdout).toBe(help.stdout);
    expect((await runCli(['help'], env)).stdout).toBe(help.stdout);
  });

  it('every command prints its usage for --help and -h, exit 0, touching nothing', async () => {
    for (const name of Object.keys(COMMANDS)) {
      for (const flag of ['--help', '-h']) {
        const result = await runCli([name, flag], env);
        expect(result.code, `${name} ${flag}`).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^Usage: nanoclaw ${name}\\b`));
        expect(result.stderr).toBe('');
      }
    }
    expect((await runCli(['help', 'tasks'], env)).stdout).toMatch(/^Usage: nanoclaw tasks\b/);
    for (const args of SUBCOMMAND_HELP) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: nanoclaw ${args[0]}\\b`));
    }
    // Nothing ran: not even the data directory was created.
    expect(fs.existsSync(env.NANOCLAW_HOME ?? '')).toBe(false);
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`nanoclaw ${pkg.version}\n`);
  });

  it('wrong options, subcommands and commands: a clear message and the usage, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['chat', '--frob'], /^nanoclaw: Unknown option --frob\.\nUsage: nanoclaw chat/],
      [['start', '--port', '1'], /^nanoclaw: Unknown option --port\.\nUsage: nanoclaw start/],
      [['start', 'now'], /^nanoclaw: Unexpected argument "now"\.\nUsage: nanoclaw start/],
      [
        ['groups', 'add', 'x', '--chat'],
        /^nanoclaw: Option --chat needs a value\.\nUsage: nanoclaw groups/,
      ],
      [
        ['mounts', 'list', '--rw=yes'],
        /^nanoclaw: Option --rw takes no value\.\nUsage: nanoclaw mounts/,
      ],
      [['groups', 'frob'], /^nanoclaw: Unknown subcommand "frob"\.\nUsage: nanoclaw groups/],
      [['senders'], /^nanoclaw: Give a subcommand\.\nUsage: nanoclaw senders/],
      [['senders', 'show'], /^nanoclaw: Give a group folder\.\nUsage: nanoclaw senders/],
      [['frob'], /^nanoclaw: Unknown command "frob"\.\n\nUsage: nanoclaw <command>/],
    ];
    for (const [args, expected] of cases) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(expected);
      expect(result.stderr).not.toMatch(/\n\s+at |ERR_PARSE_ARGS/);
    }
    expect(fs.existsSync(env.NANOCLAW_HOME ?? '')).toBe(false);
  });

  it('on a fresh clone (nothing built) the launcher points to npm start', async () => {
    const clone = path.join(base, 'clone');
    fs.mkdirSync(path.join(clone, 'bin'), { recursive: true });
    fs.copyFileSync(CLI, path.join(clone, 'bin', 'nanoclaw.js'));
    fs.writeFileSync(path.join(clone, 'package.json'), '{"type":"module"}');
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [path.join(clone, 'bin', 'nanoclaw.js'), '--help'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('run `npm start`');
    expect(result.stderr).not.toContain('npm run build');
  });

  it('empty lists say so and name the command that adds one', async () => {
    const expected: [string[], string][] = [
      [['groups', 'list'], 'nanoclaw groups add <folder>'],
      [['tasks', 'list'], 'nanoclaw tasks add --group main'],
      [['mounts', 'list'], 'nanoclaw mounts add <path> --group <folder>'],
      [['audit'], 'nanoclaw run "hello"'],
    ];
    for (const [args, command] of expected) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^No .* yet/);
      expect(result.stdout).toContain(command);
    }
    // Scripts get nothing rather than prose.
    expect((await runCli(['audit', '--json'], env)).stdout).toBe('');
  });

  it('group names: not main or global in any case, no look-alikes, no unknown channel', async () => {
    const refused: [string[], RegExp][] = [
      [['groups', 'add', 'MAIN'], /"MAIN" is the main group's folder/],
      [['groups', 'add', 'Global'], /Invalid group folder "Global".*not "global" in any case/],
      [['groups', 'add', 'm\u0430in'], /Invalid group folder/],
      [
        ['groups', 'add', 'tele', '--chat', 'telegram:123'],
        /Unknown channel "telegram" in chat id "telegram:123": this installation has web\. Add a channel with its skill/,
      ],
    ];
    for (const [args, expected] of refused) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(expected);
    }
    expect((await runCli(['groups', 'add', 'Family'], env)).code).toBe(0);
    const twin = await runCli(['groups', 'add', 'family'], env);
    expect(twin.code).toBe(2);
    expect(twin.stderr).toContain('same folder as the existing group "Family"');
    const lookup = await runCli(['senders', 'show', 'family'], env);
    expect(lookup.stderr).toContain('No group "family". Did you mean "Family"?');
    expect((await runCli(['groups', 'list'], env)).stdout).toMatch(/^FOLDER.*\nFamily\tweb:Family/);
  });

  it('senders and egress show readable text, and JSON with --json', async () => {
    const senders = await runCli(['senders', 'show', 'Family'], env);
    expect(senders.code).toBe(0);
    expect(senders.stdout).toContain('May wake the agent: everyone in the chat');
    expect(senders.stdout).toContain("Others' messages:  kept as context");
    expect(senders.stdout).not.toContain('{');
    const set = await runCli(
      ['senders', 'set', 'Family', '--allow', 'u1,u2', '--mode', 'drop'],
      env,
    );
    expect(set.stdout).toContain('these sender ids: u1, u2');
    expect(set.stdout).toContain('not stored at all (mode drop)');
    const json = await runCli(['senders', 'show', 'Family', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual({ allow: ['u1', 'u2'], mode: 'drop' });

    await runCli(['egress', 'set', 'Family', '--mode', 'allowlist', '--allow', 'example.com'], env);
    const egress = await runCli(['egress', 'show', 'Family'], env);
    expect(egress.stdout).toContain(
      'May connect to: only the listed destinations (mode allowlist)',
    );
    expect(egress.stdout).toContain('Listed:        example.com');
    const egressJson = await runCli(['egress', 'show', 'Family', '--json'], env);
    expect(JSON.parse(egressJson.stdout)).toEqual({ mode: 'allowlist', allow: ['example.com'] });
  });

  it('mounts check --rw says read-only, and why, when that is what a group gets', async () => {
    const notes = path.join(base, 'projects', 'notes');
    const family = await runCli(['mounts', 'check', notes, '--rw', '--group', 'Family'], env);
    expect(family.code).toBe(0);
    expect(family.stdout).toMatch(
      /^ALLOWED READ-ONLY: .*notes → \/workspace\/extra\/notes \(read-only, not read-write as asked: nonMainReadOnly/,
    );
    const main = await runCli(['mounts', 'check', notes, '--rw'], env);
    expect(main.stdout).toMatch(/^ALLOWED: .*notes → \/workspace\/extra\/notes \(read-write\)/);
    const added = await runCli(['mounts', 'add', notes, '--rw', '--group', 'Family'], env);
    expect(added.stdout).toContain('(read-only, not read-write as asked: nonMainReadOnly');
  });

  it('tasks add --script says it is a pre-check that must print {"wakeAgent": true}', async () => {
    const help = await runCli(['tasks', 'add', '--help'], env);
    expect(help.stdout).toContain('--script is a pre-check');
    expect(help.stdout).toContain('{"wakeAgent": true}');
    const args = ['tasks', 'add', '--group', 'Family', '--every', '1h', '--prompt', 'p'];
    const added = await runCli([...args, '--script', 'echo \'{"wakeAgent": false}\''], env);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain(
      'Its pre-check runs first; the agent wakes only when its last line is {"wakeAgent": true}.',
    );
    const id = /task-[0-9a-f]+/.exec(added.stdout)?.[0] ?? 'missing';
    expect((await runCli(['tasks', 'show', id], env)).stdout).toMatch(
      /Pre-check: +echo .* \(wakes the agent only on \{"wakeAgent": true\}\)/,
    );
  });

  it('an unknown time zone is refused at start-up with a clear message', async () => {
    const result = await runCli(['groups', 'list'], { ...env, TZ: 'Mars/Olympus' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TZ: TZ is not a time zone: use an IANA name such as');
  });
});
