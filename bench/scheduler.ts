/**
 * Issue "Scheduled tasks" figures: scheduling lateness of 200 jobs due within the next minute
 * (the real Scheduler, real timers and SQLite; dispatch records the time and returns), and the
 * real host process's CPU while 1,000 idle tasks are scheduled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { openStore } from '../src/host.js';
import { silentLogger } from '../src/log.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { APP_ROOT, tempHome } from '../test/support/cli.js';
import { startHostProcess } from '../test/support/host-process.js';
import { row } from './stats.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newTask(
  id: string,
  nextRun: number,
  scheduleType: 'once' | 'cron',
  scheduleValue: string,
) {
  return {
    id,
    groupFolder: 'main',
    prompt: 'bench',
    scheduleType,
    scheduleValue,
    contextMode: 'isolated' as const,
    script: undefined,
    missedPolicy: 'run-once' as const,
    nextRun,
  };
}

async function lateness(): Promise<number[]> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-bench-sched-'));
  const store = openStore(loadConfig({ NANOCLAW_HOME: home }, APP_ROOT));
  store.groups.ensure({ folder: 'main', name: 'Main', isMain: true }, new Date());
  const start = Date.now() + 1000;
  for (let i = 0; i < 200; i++) {
    const at = start + Math.floor((i * 59_000) / 200) + (i % 7) * 13;
    store.tasks.create(newTask(`t${i}`, at, 'once', new Date(at).toISOString()), Date.now());
  }
  const late: number[] = [];
  const scheduler = new Scheduler({
    tasks: store.tasks,
    timezone: 'UTC',
    now: Date.now,
    timers: { setTimeout, clearTimeout },
    dispatch: async (_task, run) => {
      late.push(Date.now() - run.scheduledFor);
      return { status: 'success' };
    },
    groupExists: () => true,
    log: silentLogger(),
  });
  scheduler.start();
  while (late.length < 200 && Date.now() < start + 70_000) await sleep(200);
  await scheduler.stop();
  store.db.close();
  fs.rmSync(home, { recursive: true, force: true });
  return late;
}

function cpuTicks(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
}

async function idleCpu(): Promise<{ percent: number; seconds: number }> {
  const home = tempHome('nanoclaw-bench-idle-');
  const env = { NANOCLAW_HOME: home, NANOCLAW_RUNTIME: 'bwrap', ANTHROPIC_API_KEY: 'unused' };
  const store = openStore(loadConfig(env, APP_ROOT));
  store.groups.ensure(
    { folder: 'main', name: 'Main', isMain: true, chatId: 'web:main', requiresTrigger: false },
    new Date(),
  );
  const tomorrow = Date.now() + 86_400_000;
  for (let i = 0; i < 1000; i++)
    store.tasks.create(
      newTask(`idle${i}`, tomorrow + i * 1000, 'cron', `${i % 60} 9 * * *`),
      Date.now(),
    );
  store.db.close();
  const host = await startHostProcess(env);
  await sleep(2000);
  const seconds = 20;
  const before = cpuTicks(host.pid);
  await sleep(seconds * 1000);
  const ticks = cpuTicks(host.pid) - before;
  await host.stop();
  fs.rmSync(home, { recursive: true, force: true });
  return { percent: (ticks / 100 / seconds) * 100, seconds };
}

export async function benchScheduler(): Promise<void> {
  const late = await lateness();
  const idle = await idleCpu();
  console.log('\n## Scheduler');
  console.log(row('lateness, 200 jobs due within one minute', late));
  console.log(
    `host CPU with 1,000 idle tasks scheduled: ${idle.percent.toFixed(2)} % of one core over ${idle.seconds} s`,
  );
}
