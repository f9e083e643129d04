/**
 * What the operator sees of the running host: the status report (the control socket's
 * `nanoclaw status`, and the web dashboard) and the dashboard's other views (policies, tasks,
 * audit, usage, Stop), wired from the host's parts.
 */
import type { HostStatus } from './channels/channel.js';
import type { DashboardDeps } from './channels/web/dashboard.js';
import { startControlServer } from './control/server.js';
import type { StatusReport } from './control/protocol.js';
import type { Conversations } from './conversation/service.js';
import type { Host, Store } from './host.js';
import { collectStatus } from './ops/status.js';
import { StoreInspector } from './store/inspect.js';
import { GroupMountStore } from './store/mounts.js';
import { usageSummary } from './usage/summary.js';
import { version } from './version.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How many days of usage the dashboard charts. */
const USAGE_DAYS = 30;

/** The control socket (src/control/protocol.ts); returns its stop. */
export async function serveControl(
  host: Host,
  status: () => StatusReport,
): Promise<() => Promise<void>> {
  const control = await startControlServer({
    home: host.config.home,
    status,
    log: host.log.child({ component: 'control' }),
  });
  return () => control.close();
}

/** `nanoclaw status` as the running host sees it (served on the control socket). */
export function operatorStatus(
  host: Host,
  conversations: Conversations,
  live: {
    channels: () => HostStatus;
    problems: () => readonly string[];
    url: () => string | undefined;
  },
): () => StatusReport {
  const started = Date.now();
  const facts = {
    pid: process.pid,
    startedAt: new Date(started).toISOString(),
    version: version(host.config.appRoot),
    runtime: host.runtime.name,
  };
  const inspect = new StoreInspector(host.db);
  return () => {
    const url = live.url();
    return collectStatus({
      home: host.config.home,
      assistantName: host.config.assistantName,
      groups: host.groups,
      tasks: host.tasks,
      inspect,
      setupProblems: live.problems(),
      live: {
        host: { ...facts, ...(url ? { webUrl: url } : {}), uptimeMs: Date.now() - started },
        channels: live.channels().channels,
        slots: host.limiter.snapshot(),
        conversations: conversations.liveRuns(),
      },
    });
  };
}

export function dashboardDeps(
  host: Host,
  store: Store,
  conversations: Conversations,
  status: () => StatusReport,
): DashboardDeps {
  const mounts = new GroupMountStore(host.db);
  return {
    status,
    groups: host.groups,
    tasks: host.tasks,
    mounts: (folder) => mounts.list(folder),
    audit: (query) => store.audit.list(query),
    stopGroup: (folder) => conversations.stopGroup(folder),
    modelSetting: (folder) => host.budgets.model('group', folder),
    defaultModel: host.config.model,
    now: () => Date.now(),
    usage: () => {
      const now = Date.now();
      const folders = host.groups.list().map((g) => g.folder);
      const days = new Map<string, { tokens: number; usd: number }>();
      for (const r of store.usage.rows({ since: now - USAGE_DAYS * DAY_MS }, 'day')) {
        const day = days.get(r.key) ?? { tokens: 0, usd: 0 };
        day.tokens += r.inputTokens + r.outputTokens + r.cacheReadTokens + r.cacheWriteTokens;
        day.usd += r.costUsd;
        days.set(r.key, day);
      }
      return {
        ...usageSummary(store.usage, folders, now),
        days: [...days].map(([day, spent]) => ({ day, ...spent })),
      };
    },
  };
}
