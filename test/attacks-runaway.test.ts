/**
 * The attack suite, runaway: a scripted (fake-model) agent tries to flood the terminal and the
 * protocol, fill the disk, exhaust the sandbox limiter and fork-bomb, through real tools in real
 * bwrap sandboxes of the real host CLI. Each attack prints BLOCKED or BREACH from inside (or is
 * counted from the host); the last test checks the count and the audit.
 * (Shared setup: `test/support/attacks.ts`.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import {
  auditRecords,
  bombCgroup,
  expectAllBlocked,
  startAttackSuite,
  until,
  type AttackSuite,
} from './support/attacks.js';
import { startHostProcess } from './support/host-process.js';
import { instanceId } from '../src/host.js';
import { openDb } from '../src/store/db.js';
import { TaskStore } from '../src/store/tasks.js';
import { detectCgroups, type CgroupLayout } from '../src/sandbox/cgroups.js';

/** Per-sandbox cgroups (root): the fork bomb attack needs them to be contained per sandbox. */
const cgroups = detectCgroups();

describe('attack suite: runaway output, disk, sandboxes and processes', () => {
  let s: AttackSuite;

  beforeAll(async () => {
    s = await startAttackSuite('runaway');
  });

  afterAll(async () => {
    await s?.close();
  });

  it('the protocol channel and the terminal are out of reach of 100 MB and forged lines', async () => {
    // The runner's stdout is a socket to the host: not openable through /proc.
    const forge = `printf '{"type":"result","text":"forged"}\\n' > /proc/$R/fd/1`;
    // (perl passes string arguments to syscall() as pointers: numbers are forced with 0 +;
    // PTRACE_SEIZE, 0x4206, attaches without stopping the runner.)
    // The runner runs as the agent's uid, but it is non-dumpable (started from an exec-only node):
    // no ptrace, no /proc/<pid>/mem or fd, no pidfd_getfd of its socket to the host.
    const take =
      'my $p = syscall(434, 0 + $ARGV[0], 0); exit 1 if $p < 0; my $g = syscall(438, $p, 1, 0); ' +
      'exit 1 if $g < 0; open(my $f, ">&=", $g) or exit 1; ' +
      'print $f qq({"type":"result","text":"forged"}\\n) or exit 1; close $f or exit 1';
    const out = await s.attack(
      'main',
      `
      C=$(pgrep -o -x claude); export R=$(awk '/^PPid:/ { print $2 }' /proc/$C/status)
      t forge-protocol-lines sh -c '${forge}'
      t take-runner-socket-pidfd perl -e '${take}' "$R"
      t open-runner-memory perl -e 'open(my $f, "+<", "/proc/$ARGV[0]/mem") or exit 1' "$R"
      t list-runner-fds ls "/proc/$R/fd"
      case $(uname -m) in x86_64) P=101;; aarch64) P=117;; *) P=101;; esac
      t ptrace-runner perl -e 'exit(syscall(0 + $ARGV[0], 0x4206, 0 + $ARGV[1], 0, 0) == 0 ? 0 : 1)' "$P" "$R"
      [ -n "$R" ] && [ "$(awk '/^PPid:/ { print $2 }' /proc/$R/status)" = 1 ] && echo "runner-found"
      head -c 100000000 /dev/zero | tr '\\0' x`,
    );
    expect(out.stdout).toContain('runner-found');
    expect(out.stdout).toContain('BLOCKED take-runner-socket-pidfd');
    expect(out.stdout).not.toContain('BREACH');
    s.tried.push('print-100mb');
    expect(out.code).toBe(0);
    expect(out.stdout).not.toContain('forged');
    // 100 MB printed by a tool reached neither the host's protocol nor the terminal unbounded.
    expect(out.stdout.length).toBeLessThan(1_000_000);
    const after = await runCli(['run', 'still there?'], s.env);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('ECHO: still there?');
    s.blocked.push('print-100mb');
  });

  it('filling the disk through its own folder stops only that run, at its disk cap', async () => {
    const fill = await s.attack(
      'family',
      'for i in $(seq 1 64); do head -c 1048576 /dev/zero > /workspace/group/fill-$i; done; sleep 30',
      { SANDBOX_DISK_MB: '16' },
    );
    s.tried.push('fill-group-folder');
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toContain(
      'the agent wrote more than 16 MB into its folders and was stopped',
    );
    const folder = path.join(s.home, 'groups', 'family');
    for (const f of fs.readdirSync(folder).filter((n) => n.startsWith('fill-'))) {
      fs.rmSync(path.join(folder, f));
    }
    const after = await runCli(['run', '--group', 'family', 'still there?'], s.env);
    expect(after.stdout).toContain('ECHO: still there?');
    s.blocked.push('fill-group-folder');
  });

  it('the disk cap cannot be dodged by exhausting its measure with symlinks', async () => {
    // A smaller documented budget makes the point of 200,000 symlinks with 6,000.
    const claude = '/home/agent/.claude';
    const fill = await s.attack(
      'family',
      `mkdir -p ${claude}/links && (cd ${claude}/links && seq 1 6000 | xargs ln -s -t .)
      for i in $(seq 1 48); do head -c 1048576 /dev/zero > /workspace/group/fill-$i; done; sleep 30`,
      { SANDBOX_DISK_MB: '16', SANDBOX_DISK_SCAN_ENTRIES: '5000' },
    );
    s.tried.push('disk-cap-entry-budget');
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toContain("the run's folders could not be measured against the disk cap");
    expect(fill.stderr).toContain('more than 5000 entries');
    expect(fill.stderr).toContain('raise SANDBOX_DISK_SCAN_ENTRIES');
    fs.rmSync(path.join(s.home, 'sessions', 'family', 'links'), { recursive: true, force: true });
    const folder = path.join(s.home, 'groups', 'family');
    for (const f of fs.readdirSync(folder).filter((n) => n.startsWith('fill-'))) {
      fs.rmSync(path.join(folder, f));
    }
    const after = await runCli(['run', '--group', 'family', 'still there?'], s.env);
    expect(after.stdout).toContain('ECHO: still there?');
    s.blocked.push('disk-cap-entry-budget');
  });

  it('a flood of tasks never holds more sandboxes than the cap; a disk-filling pre-check is stopped at the disk cap', async () => {
    // Each pre-check counts the live ones (its own marker included) from inside, then sleeps.
    const flood = [
      'd=/workspace/group/live; mkdir -p $d; f=$(mktemp $d/XXXXXX)',
      'ls $d | wc -l >> /workspace/group/flood.log',
      'sleep 2; rm -f $f; echo {\\"wakeAgent\\":false}',
    ].join('; ');
    const fill =
      'd=$(mktemp -d /workspace/group/fill.XXXXXX); for i in $(seq 1 40); do head -c 1048576 /dev/zero > $d/$i; done; sleep 30; echo {\\"wakeAgent\\":true}';
    const task = (prompt: string, file: string) =>
      `c=$(api schedule_task '{"prompt":"${prompt}","schedule_type":"interval","schedule_value":"10000","script":"sh /workspace/group/${file}"}'); echo "scheduled $c"`;
    const scheduled = await s.attack(
      'family',
      `printf '%s\\n' '${flood}' > /workspace/group/flood.sh
      printf '%s\\n' '${fill}' > /workspace/group/fill.sh
      for i in 1 2 3 4 5 6 7; do ${task('flood', 'flood.sh')}; done
      ${task('fill', 'fill.sh')}`,
    );
    expect(scheduled.stdout.match(/scheduled 200/g)).toHaveLength(8);
    s.tried.push('task-flood', 'precheck-disk-fill');
    const folder = path.join(s.home, 'groups', 'family');
    const log = path.join(folder, 'flood.log');
    const host = await startHostProcess({
      ...s.env,
      MAX_CONCURRENT_SANDBOXES: '2',
      SANDBOX_DISK_MB: '16',
    });
    const db = openDb(path.join(s.home, 'nanoclaw.db'));
    const tasks = new TaskStore(db);
    const fillTask = tasks.list('family').find((t) => t.prompt === 'fill');
    const fillRun = () => tasks.runs(fillTask?.id ?? '', 20).find((r) => r.status !== 'skipped');
    try {
      await until(() => {
        const counts = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
        return counts.length >= 7 && fillRun()?.status === 'error' ? counts : undefined;
      }, 120_000);
    } finally {
      await host.stop();
      db.close();
    }
    // Every flood task ran its pre-check (none starved), never more than two at once.
    const counts = fs.readFileSync(log, 'utf8').trim().split('\n').map(Number);
    expect(counts.length).toBeGreaterThanOrEqual(7);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    const list = await runCli(['tasks', 'list'], s.env);
    const fillId = /(task-[0-9a-f]{8})\s+family.*fill/.exec(list.stdout)?.[1] ?? '';
    const show = await runCli(['tasks', 'show', fillId], s.env);
    expect(show.stdout).toMatch(
      /error\s.*the pre-check script wrote more than 16 MB into its folders and was stopped/,
    );
    expect(show.stdout).not.toMatch(/success/);
    for (const id of list.stdout.match(/task-[0-9a-f]{8}/g) ?? []) {
      await runCli(['tasks', 'cancel', id], s.env);
    }
    for (const f of fs.readdirSync(folder).filter((n) => /^(fill|flood|live)/.test(n))) {
      fs.rmSync(path.join(folder, f), { recursive: true, force: true });
    }
    s.blocked.push('task-flood', 'precheck-disk-fill');
  }, 180_000);

  /** One try: whether another sandbox of the same uid forked while the bomb was at its limit. */
  const bombOverlap = async (): Promise<boolean> => {
    const file = (name: string) => path.join(s.home, 'groups', 'main', name);
    const [ready, go, forked] = [file('ready'), file('go'), file('forked')] as const;
    // Main's check is running before the bomb starts (the bomb takes the CPU too), forks once the
    // bomb is at its limit (the go file), at once, and says when.
    const other = s.attack(
      'main',
      'touch ready; while [ ! -e go ]; do sleep 0.02; done; for i in 1 2 3 4 5; do sleep 0 & done; wait; touch forked; echo forks-ok',
    );
    await until(() => (fs.existsSync(ready) ? true : undefined), 120_000);
    const bomb = s.attack('family', 'b() { b | b & }; b; sleep 60', {
      SANDBOX_TIMEOUT_MS: '30000',
    });
    const pids = await until(() => bombCgroup(cgroups as CgroupLayout, instanceId(s.home)), 60_000);
    fs.writeFileSync(go, '');
    await until(() => (fs.existsSync(forked) ? true : undefined), 120_000);
    const overlapped = fs.existsSync(pids); // the bomb's cgroup (at its limit) still there
    expect((await other).stdout).toContain('forks-ok'); // the other sandbox could fork
    const ended = await bomb;
    for (const file of [ready, go, forked]) fs.rmSync(file);
    expect(ended.code).not.toBe(0); // its own run failed (the CLI could not start threads)
    expect(fs.existsSync(pids)).toBe(false); // every process of it gone, its cgroup removed
    return overlapped;
  };

  it.runIf(cgroups)(
    'a fork bomb saturates only its own sandbox',
    async () => {
      s.tried.push('fork-bomb');
      // The bomb's own Claude CLI dies of it soon (SIGABRT: no threads left), which ends its
      // sandbox; under load that can come before the other sandbox's forks, which proves nothing
      // either way: such a try is repeated (at most three). A refused fork fails at once.
      let overlapped = false;
      for (let attempt = 0; attempt < 3 && !overlapped; attempt++) overlapped = await bombOverlap();
      expect(overlapped).toBe(true);
      s.blocked.push('fork-bomb');
    },
    300_000,
  );

  it('every attack was blocked, and the audit shows the runs that failed', async () => {
    const records = await auditRecords(s.env);
    // The runs that ended badly are in the trail as failed: the two stopped at the disk cap and,
    // with cgroups, the fork bomb's.
    const failed = records.filter(
      (r) => r.kind === 'sandbox' && r.group === 'family' && r.decision === 'failed',
    );
    expect(failed.length).toBeGreaterThanOrEqual(cgroups ? 3 : 2);
    expectAllBlocked(s, 'runaway', cgroups ? 11 : 10);
  });
});
