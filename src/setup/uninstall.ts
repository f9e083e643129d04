/**
 * What `nanoclaw uninstall` removes: only what this installation owns. The service it installed,
 * sandboxes still left of this instance (bwrap processes, containers by their instance label),
 * the agent image setup built, the mount allowlist setup created, and last the data directory,
 * which is asked for separately. `uninstallPlan` is pure; `gatherFacts` and `removeItem` do I/O.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { Config } from '../config.js';
import { instanceId } from '../host.js';
import { silentLogger } from '../log.js';
import {
  containerOrphanListArgs,
  containerRemoveArgs,
  engineEnv,
} from '../sandbox/container-args.js';
import { isOurSandbox, killOrphans, scanProcesses } from '../sandbox/orphans.js';
import { uninstallService } from '../service/control.js';
import { readServiceRecord, serviceSpec, type ServiceRecord } from '../service/manager.js';
import { readSetupRecord, type SetupRecord } from './record.js';

export interface UninstallFacts {
  home: string;
  homeExists: boolean;
  service: ServiceRecord | undefined;
  /** Live bwrap sandbox pids of this instance. */
  bwrapSandboxes: number[];
  /** Containers of this instance, per engine. */
  containers: { engine: 'docker' | 'podman'; ids: string[] }[];
  setup: SetupRecord;
}

export type ItemKind = 'service' | 'bwrap' | 'containers' | 'image' | 'allowlist' | 'data';

export interface Item {
  kind: ItemKind;
  label: string;
  /** The user's data: asked for separately, kept with --keep-data. */
  data: boolean;
}

/** Pure: the items to remove, in the order they must go (the service first stops the host). */
export function uninstallPlan(f: UninstallFacts): Item[] {
  const items: Item[] = [];
  if (f.service)
    items.push({
      kind: 'service',
      label: `the ${f.service.manager} service (${f.service.file})`,
      data: false,
    });
  if (f.bwrapSandboxes.length > 0) {
    items.push({
      kind: 'bwrap',
      label: `${f.bwrapSandboxes.length} bubblewrap sandbox process(es) of this installation`,
      data: false,
    });
  }
  for (const c of f.containers.filter((x) => x.ids.length > 0)) {
    items.push({
      kind: 'containers',
      label: `${c.ids.length} ${c.engine} container(s) of this installation`,
      data: false,
    });
  }
  if (f.setup.image)
    items.push({
      kind: 'image',
      label: `the agent image ${f.setup.image.tag} (${f.setup.image.engine}), built by setup`,
      data: false,
    });
  if (f.setup.allowlistCreated) {
    items.push({
      kind: 'allowlist',
      label: `the mount allowlist ${f.setup.allowlistCreated}, created by setup`,
      data: true,
    });
  }
  if (f.homeExists) {
    items.push({
      kind: 'data',
      label: `the data directory ${f.home} (history, groups, sessions, tasks, .env, logs)`,
      data: true,
    });
  }
  return items;
}

function containerIds(
  engine: 'docker' | 'podman',
  instance: string,
  env: NodeJS.ProcessEnv,
): string[] {
  const r = spawnSync(engine, containerOrphanListArgs(instance), {
    encoding: 'utf8',
    env: engineEnv(env),
    timeout: 30_000,
  });
  if (r.status !== 0) return []; // not installed or not running: it holds nothing of ours
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

export function gatherFacts(config: Config, env: NodeJS.ProcessEnv): UninstallFacts {
  const instance = instanceId(config.home);
  const bwrapSandboxes =
    process.platform === 'linux'
      ? scanProcesses()
          .filter((p) => isOurSandbox(p.argv, instance))
          .map((p) => p.pid)
      : [];
  const engines = (['docker', 'podman'] as const).filter(
    (e) => spawnSync(e, ['--version'], { stdio: 'ignore' }).status === 0,
  );
  return {
    home: config.home,
    homeExists: fs.existsSync(config.home),
    service: readServiceRecord(config.home),
    bwrapSandboxes,
    containers: engines.map((engine) => ({ engine, ids: containerIds(engine, instance, env) })),
    setup: fs.existsSync(config.home) ? readSetupRecord(config.home) : {},
  };
}

export async function removeItem(
  item: Item,
  facts: UninstallFacts,
  config: Config,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const engineOpts = { env: engineEnv(env), stdio: 'ignore' as const, timeout: 60_000 };
  switch (item.kind) {
    case 'service':
      await uninstallService(serviceSpec(config, env, facts.service?.manager ?? 'background'));
      return;
    case 'bwrap':
      killOrphans(instanceId(config.home), fs.realpathSync(process.execPath), silentLogger());
      return;
    case 'containers':
      for (const c of facts.containers)
        if (c.ids.length) execFileSync(c.engine, containerRemoveArgs(c.ids), engineOpts);
      return;
    case 'image': {
      const image = facts.setup.image;
      if (image) execFileSync(image.engine, ['image', 'rm', image.tag], engineOpts);
      return;
    }
    case 'allowlist':
      if (facts.setup.allowlistCreated) fs.rmSync(facts.setup.allowlistCreated, { force: true });
      return;
    case 'data':
      fs.rmSync(config.home, { recursive: true, force: true });
  }
}
