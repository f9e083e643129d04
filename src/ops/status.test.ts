/**
 * What `nanoclaw status` (and the dashboard) says of live runs, over a real SQLite file: the
 * conversation run and task runs matched to the limiter's slots, with start, runtime, chat and
 * task; and the text of `nanoclaw status` showing how long each has run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { liveRunText, renderStatus } from '../cli/status-text.js';
import { openDb, type Db } from '../store/db.js';
import { GroupStore } from '../store/groups.js';
import { StoreInspector } from '../store/inspect.js';
import { TaskStore } from '../store/tasks.js';
import { collectStatus, type LiveFacts, type StatusSources } from './status.js';

const T0 = Date.parse('2026-06-01T09:00:00Z');

describe('live runs in the status report', () => {
  let dir: string;
  let db: Db;
  let sources: (live: Partial<LiveFacts>) => StatusSources;
  let tasks: TaskStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-status-'));
    db = openDb(path.join(dir, 'store.db'));
    const groups = new GroupStore(db);
    groups.ensure({ folder: 'main', name: 'Main', isMain: true }, new Date(T0));
    groups.ensure({ folder: 'family', name: 'Family', isMain: false }, new Date(T0));
    tasks = new TaskStore(db);
    const host = { pid: 1, startedAt: '', uptimeMs: 0, version: '1', runtime: 'bwrap' };
    sources = (live) => ({
      home: dir,
      assistantName: 'Andy',
      groups,
      tasks,
      inspect: new StoreInspector(db),
      setupProblems: [],
      live: {
        host,
        channels: [],
        slots: { running: [], waiting: [] },
        conversations: [],
        ...live,
      },
    });
  });

  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const addTask = (id: string, group: string, startedAt: number) => {
    tasks.create(
      {
        id,
        groupFolder: group,
        prompt: 'digest',
        scheduleType: 'interval',
        scheduleValue: '3600000',
        contextMode: 'isolated',
        script: undefined,
        missedPolicy: 'run-once',
        nextRun: startedAt,
      },
      T0,
    );
    expect(tasks.claim(id, startedAt, startedAt + 3600_000, startedAt)).toBeDefined();
  };

  it('gives the conversation run its id, chat and start; task runs their task and claim time', () => {
    addTask('t-late', 'main', T0 + 2000);
    addTask('t-early', 'main', T0 + 1000);
    addTask('t-other', 'family', T0 + 500);
    const report = collectStatus(
      sources({
        slots: {
          running: [
            { group: 'main', kind: 'task' },
            { group: 'main', kind: 'chat' },
            { group: 'main', kind: 'precheck' },
            { group: 'main', kind: 'worker' },
            { group: 'family', kind: 'chat' },
          ],
          waiting: [],
        },
        conversations: [
          { group: 'main', runId: 'run-1', chatId: 'web:main', startedAt: T0 + 3000 },
        ],
      }),
    );
    const main = report.groups.find((g) => g.folder === 'main');
    expect(main?.liveRuns).toEqual([
      { kind: 'task', runtime: 'bwrap', taskId: 't-early', startedAt: T0 + 1000 },
      { kind: 'chat', runtime: 'bwrap', runId: 'run-1', chatId: 'web:main', startedAt: T0 + 3000 },
      { kind: 'precheck', runtime: 'bwrap', taskId: 't-late', startedAt: T0 + 2000 },
      { kind: 'worker', runtime: 'bwrap' },
    ]);
    // family's chat slot has no conversation run yet (it is starting): only kind and runtime.
    const family = report.groups.find((g) => g.folder === 'family');
    expect(family?.liveRuns).toEqual([{ kind: 'chat', runtime: 'bwrap' }]);
  });

  it('reports no live runs when the host is not running, whatever the store says', () => {
    addTask('t1', 'main', T0);
    const report = collectStatus({ ...sources({}), live: undefined });
    expect(report.groups.every((g) => g.liveRuns.length === 0)).toBe(true);
  });

  it('says in `nanoclaw status` how long each live run has been going', () => {
    const now = T0 + 75_000;
    expect(liveRunText({ kind: 'chat', runId: 'run-1', startedAt: T0 + 63_000 }, now)).toBe(
      'chat run-1 (for 12s)',
    );
    expect(liveRunText({ kind: 'task', taskId: 't-9', startedAt: T0 }, now)).toBe(
      'task t-9 (for 1m)',
    );
    expect(liveRunText({ kind: 'worker' }, now)).toBe('worker');
    const report = collectStatus(
      sources({
        slots: { running: [{ group: 'main', kind: 'chat' }], waiting: [] },
        conversations: [{ group: 'main', runId: 'run-1', chatId: 'web:main', startedAt: T0 }],
      }),
    );
    expect(renderStatus(report, now)).toContain('running: chat run-1 (for 1m)');
  });
});
