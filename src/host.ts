/**
 * The composition root: builds every long-lived part from one Config and passes dependencies
 * in. Nothing else in the codebase reads config or holds process-wide state.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';
import { secretSource } from './config.js';
import { createCapabilityRegistry } from './gateway/capabilities.js';
import { createGateway, type Gateway } from './gateway/server.js';
import type { CapabilityRegistry, HostApiHandlers } from './gateway/types.js';
import type { Logger } from './log.js';
import type { SandboxRuntime } from './sandbox/runtime.js';
import { selectRuntime } from './sandbox/select.js';
import { SANDBOX_PATHS } from './sandbox/spec.js';
import type { GatewayEndpoint } from './shared/protocol.js';
import { openDb, type Db } from './store/db.js';
import { GroupStore, SessionStore } from './store/groups.js';
import { MessageStore } from './store/messages.js';

/** The state the host keeps, opened before anything that depends on it. */
export interface Store {
  db: Db;
  groups: GroupStore;
  sessions: SessionStore;
  messages: MessageStore;
}

export function openStore(config: Config): Store {
  fs.mkdirSync(config.home, { recursive: true, mode: 0o700 });
  const db = openDb(config.paths.db);
  return {
    db,
    groups: new GroupStore(db),
    sessions: new SessionStore(db),
    messages: new MessageStore(db),
  };
}

export interface Host extends Store {
  config: Config;
  log: Logger;
  /** Identifies this installation's sandboxes (orphan cleanup must not touch others'). */
  instance: string;
  runtime: SandboxRuntime;
  capabilities: CapabilityRegistry;
  gateway: Gateway;
  /** Host dir holding only the gateway socket; bind-mounted read-only into sandboxes. */
  gatewayDir: string;
  /** The gateway as seen from inside a sandbox. */
  sandboxGateway: GatewayEndpoint;
  close(): Promise<void>;
}

export const GATEWAY_SOCKET = 'gateway.sock';

export function instanceId(home: string): string {
  return crypto.createHash('sha256').update(path.resolve(home)).digest('hex').slice(0, 12);
}

export async function startHost(
  config: Config,
  log: Logger,
  store: Store,
  handlers: HostApiHandlers,
): Promise<Host> {
  const instance = instanceId(config.home);
  const selected = await selectRuntime(config, { log });
  log.info({ runtime: selected.runtime.name }, selected.message);
  const orphans = await selected.runtime.cleanupOrphans(instance);
  if (orphans > 0) log.warn({ orphans }, 'removed sandboxes left by an earlier host process');
  const capabilities = createCapabilityRegistry();
  const gatewayDir = path.join(config.paths.run, 'gateway');
  const gateway = await createGateway({
    socketPath: path.join(gatewayDir, GATEWAY_SOCKET),
    upstreamUrl: config.upstreamUrl,
    secrets: secretSource(process.env, config.paths.env),
    capabilities,
    handlers,
    log: log.child({ component: 'gateway' }),
  });
  return {
    ...store,
    config,
    log,
    instance,
    runtime: selected.runtime,
    capabilities,
    gateway,
    gatewayDir,
    sandboxGateway: { kind: 'unix', path: `${SANDBOX_PATHS.gatewayDir}/${GATEWAY_SOCKET}` },
    async close() {
      await gateway.close();
      store.db.close();
    },
  };
}
