/**
 * The composition root: builds every long-lived part from one Config and passes dependencies
 * in. Nothing else in the codebase reads config or holds process-wide state.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { UserError } from './errors.js';
import { secretSource } from './config.js';
import { createCapabilityRegistry } from './gateway/capabilities.js';
import { createGateway, type Gateway } from './gateway/server.js';
import type { CapabilityRegistry, HostApiHandlers } from './gateway/types.js';
import type { Logger } from './log.js';
import type { SandboxRuntime } from './sandbox/runtime.js';
import { prepareRunnerNode } from './sandbox/runner-node.js';
import { SandboxLimiter } from './runs/limiter.js';
import { selectRuntime } from './sandbox/select.js';
import { SANDBOX_PATHS } from './sandbox/spec.js';
import type { GatewayEndpoint } from './shared/protocol.js';
import { openDb, type Db } from './store/db.js';
import { GroupStore, SessionStore } from './store/groups.js';
import { MessageStore } from './store/messages.js';
import { TaskStore } from './store/tasks.js';
import { GroupMountStore } from './store/mounts.js';
import { AuditLog } from './store/audit.js';
import { PairingStore } from './store/pairing.js';
import { MessageSearch } from './store/search.js';
import { BudgetStore } from './store/budgets.js';
import { StepStore } from './store/steps.js';
import { UsageStore } from './store/usage.js';
import { createUsageMeter, type MeterDeps } from './usage/meter.js';
import { loadPriceBook } from './usage/prices.js';
import type { AgentRunDeps } from './runs/agent-run.js';

/** The state the host keeps, opened before anything that depends on it. */
export interface Store {
  db: Db;
  groups: GroupStore;
  sessions: SessionStore;
  messages: MessageStore;
  tasks: TaskStore;
  mounts: GroupMountStore;
  audit: AuditLog;
  pairing: PairingStore;
  /** Full-text search over the conversation history. */
  search: MessageSearch;
  usage: UsageStore;
  budgets: BudgetStore;
  /** Each reply's steps (tools, team members) for the web chat. */
  steps: StepStore;
}

/** The optional price file in the data directory (see docs/USAGE.md). */
export const PRICES_FILE = 'prices.json';

/** What the app tells the usage meter (who a run answers, how to reach its chat). */
export type UsageLinks = Pick<MeterDeps, 'chatOf' | 'refused' | 'overloaded'>;

/**
 * Creates the data directory. Other users may only traverse it (0711): an unprivileged sandbox
 * uid must pass through to the group folders it is given, but cannot list or read the rest.
 */
export function prepareDataDir(config: Config): void {
  for (const dir of [config.home, config.paths.groups, config.paths.sessions, config.paths.run]) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
    fs.chmodSync(dir, 0o711);
  }
}

export function openStore(config: Config): Store {
  prepareDataDir(config);
  const db = openDb(config.paths.db);
  // State (messages, sessions) is for the host alone; so are the WAL files holding recent writes,
  // which SQLite created with the default umask before the database file was made owner-only.
  for (const file of [config.paths.db, `${config.paths.db}-wal`, `${config.paths.db}-shm`]) {
    if (fs.existsSync(file)) fs.chmodSync(file, 0o600);
  }
  return {
    db,
    groups: new GroupStore(db),
    sessions: new SessionStore(db),
    messages: new MessageStore(db),
    tasks: new TaskStore(db),
    mounts: new GroupMountStore(db),
    audit: new AuditLog(db),
    pairing: new PairingStore(db),
    search: new MessageSearch(db),
    usage: new UsageStore(db),
    budgets: new BudgetStore(db),
    steps: new StepStore(db),
  };
}

export interface Host extends Store {
  config: Config;
  log: Logger;
  /** Identifies this installation's sandboxes (orphan cleanup must not touch others'). */
  instance: string;
  runtime: SandboxRuntime;
  /** The one limiter every sandbox of this process takes a slot from. */
  limiter: SandboxLimiter;
  capabilities: CapabilityRegistry;
  gateway: Gateway;
  /** Host dir holding only the gateway socket; bind-mounted read-only into sandboxes. */
  gatewayDir: string;
  /** See prepareCoverDir. */
  coverDir: string;
  /** The exec-only node the agent runner starts with (see sandbox/runner-node.ts). */
  runnerNode: string;
  /** The gateway as seen from inside a sandbox. */
  sandboxGateway: GatewayEndpoint;
  /** Stores the SDK's own usage figures a runner reports. */
  sdkUsage: NonNullable<AgentRunDeps['sdkUsage']>;
  close(): Promise<void>;
}

export const GATEWAY_SOCKET = 'gateway.sock';

export function instanceId(home: string): string {
  return crypto.createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 12);
}

/** What the sandbox user must be able to pass through to (bwrap mounts them as that user). */
export function sandboxReachPaths(config: Config): string[] {
  return [
    path.join(config.appRoot, 'dist'),
    path.join(config.appRoot, 'node_modules'),
    config.paths.groups,
    // The sandbox runs the host's own Node binary (e.g. one under ~/.nvm).
    fs.realpathSync(process.execPath),
  ];
}

export async function startHost(
  config: Config,
  log: Logger,
  store: Store,
  handlers: HostApiHandlers,
  links: UsageLinks = {},
): Promise<Host> {
  const instance = instanceId(config.home);
  const selected = await selectRuntime(config, { log });
  log.info({ runtime: selected.runtime.name }, selected.message);
  const unreachable = selected.runtime.unreachable?.(sandboxReachPaths(config), config.sandboxUser);
  if (unreachable) {
    throw new UserError(
      `The sandbox user (uid ${config.sandboxUser.uid}) cannot reach ${unreachable}. ` +
        'Keep NanoClaw, NANOCLAW_HOME and Node.js where that user may pass through (e.g. ' +
        '/opt/nanoclaw and /var/lib/nanoclaw rather than under /root), or run NanoClaw as a ' +
        'regular user.',
    );
  }
  const orphans = await selected.runtime.cleanupOrphans(instance);
  if (orphans > 0) log.warn({ orphans }, 'removed sandboxes left by an earlier host process');
  const capabilities = createCapabilityRegistry();
  const usage = usageParts(config, store, log, links);
  // One socket directory per host process: `nanoclaw run` works while `nanoclaw start` runs,
  // and neither can take over or delete the other's socket.
  removeStaleGatewayDirs(config.paths.run, log);
  const gatewayDir = path.join(config.paths.run, `gateway-${process.pid}`);
  const gateway = await createGateway({
    socketPath: path.join(gatewayDir, GATEWAY_SOCKET),
    upstreamUrl: config.upstreamUrl,
    secrets: secretSource(process.env, config.paths.env),
    capabilities,
    handlers,
    audit: store.audit.record,
    // Read at every request: a policy change applies to live sandboxes at once.
    egressPolicy: (folder) => store.groups.get(folder)?.egressPolicy ?? { mode: 'none', allow: [] },
    usage: usage.meter,
    ...(config.openai ? { openai: config.openai } : {}),
    log: log.child({ component: 'gateway' }),
  });
  return {
    ...store,
    config,
    log,
    instance,
    runtime: selected.runtime,
    limiter: limiterFor(config),
    capabilities,
    gateway,
    gatewayDir,
    coverDir: prepareCoverDir(config),
    runnerNode: prepareRunnerNode(config.paths.run, fs.realpathSync(process.execPath)),
    sandboxGateway: { kind: 'unix', path: `${SANDBOX_PATHS.gatewayDir}/${GATEWAY_SOCKET}` },
    sdkUsage: usage.sdkUsage,
    async close() {
      await gateway.close();
      await selected.runtime.settle?.();
      fs.rmSync(gatewayDir, { recursive: true, force: true });
      store.db.close();
    },
  };
}

/** The gateway's usage meter and the sink for the SDK's own figures, over the store. */
function usageParts(config: Config, store: Store, log: Logger, links: UsageLinks) {
  const meter = createUsageMeter({
    usage: store.usage,
    budgets: store.budgets,
    prices: loadPriceBook(path.join(config.home, PRICES_FILE)),
    now: Date.now,
    ...links,
    log: log.child({ component: 'usage' }),
  });
  const sdkUsage: Host['sdkUsage'] = (context, event) => {
    try {
      store.usage.recordSdk(
        { runId: context.runId, group: context.group.folder, task: context.task, ...event },
        Date.now(),
      );
    } catch (error) {
      log.error({ err: error, runId: context.runId }, 'could not store the SDK usage figures');
    }
  };
  return { meter, sdkUsage };
}

function limiterFor(config: Config): SandboxLimiter {
  return new SandboxLimiter({
    maxTotal: config.maxConcurrentSandboxes,
    maxPerGroup: config.maxSandboxesPerGroup,
    maxWorkersPerGroup: config.maxWorkersPerGroup,
  });
}

/** The empty file and folder (read-only) mounted over entries a sandbox must not see. */
function prepareCoverDir(config: Config): string {
  const cover = path.join(config.paths.run, 'cover');
  fs.mkdirSync(path.join(cover, 'dir'), { recursive: true });
  const file = path.join(cover, 'file');
  if (!fs.existsSync(file)) fs.writeFileSync(file, '', { mode: 0o444 });
  fs.chmodSync(file, 0o444);
  fs.chmodSync(path.join(cover, 'dir'), 0o555);
  fs.chmodSync(cover, 0o755);
  return cover;
}

/** Removes the socket directories of host processes that no longer exist (after a crash). */
function removeStaleGatewayDirs(runDir: string, log: Logger): void {
  for (const entry of fs.readdirSync(runDir, { withFileTypes: true })) {
    const pid = Number(/^gateway-(\d+)$/.exec(entry.name)?.[1]);
    if (!entry.isDirectory() || !pid || pid === process.pid || processAlive(pid)) continue;
    fs.rmSync(path.join(runDir, entry.name), { recursive: true, force: true });
    log.debug({ pid }, 'removed the gateway directory of a stopped host');
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
