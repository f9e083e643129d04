/**
 * Every check `nanoclaw doctor` runs, in order, from the same functions `nanoclaw setup` verifies
 * with. The machine first (what everything else needs), then the credential, then what NanoClaw
 * keeps, then the service.
 */
import { secretSource, type Config } from '../config.js';
import { findHost } from '../host-lock.js';
import { serviceState } from '../service/control.js';
import { readServiceRecord, serviceSpec } from '../service/manager.js';
import { pass, warn, type CheckResult } from './check.js';
import { checkChannels } from './check-channels.js';
import { checkModel } from './check-model.js';
import { checkAllowlist, checkDatabase, checkDataDir, checkDisk } from './checks-data.js';
import { checkGit, checkImage, checkNode, checkRuntime, checkSandboxAccess } from './checks-env.js';

/** The credential as a run would use it: process env first, then the .env (read fresh). */
export function checkCredential(config: Config, env: NodeJS.ProcessEnv, signal: AbortSignal) {
  return checkModel(
    {
      upstreamUrl: config.upstreamUrl,
      secrets: secretSource(env, config.paths.env),
      model: config.model,
      envFile: config.paths.env,
    },
    signal,
  );
}

export function checkService(config: Config, env: NodeJS.ProcessEnv): CheckResult {
  const title = 'Service';
  const kind = readServiceRecord(config.home)?.manager ?? 'background';
  const state = serviceState(serviceSpec(config, env, kind));
  if (!state.installed) {
    return warn(
      'service',
      title,
      state.detail,
      'nanoclaw service install (runs it every day, restarts it after a failure)',
    );
  }
  if (!state.active || !state.hostPid) {
    return warn(
      'service',
      title,
      state.detail,
      `nanoclaw service restart; if it stops again, see ${config.paths.logs}/nanoclaw.log (nanoclaw logs)`,
    );
  }
  return pass('service', title, state.detail);
}

export function checkHost(config: Config): CheckResult {
  const host = findHost(config.home);
  if (!host.running) return pass('host', 'Assistant', 'not running (checked offline)');
  const since = host.record ? `pid ${host.record.pid} since ${host.record.startedAt}` : 'running';
  return pass('host', 'Assistant', `${since}${host.record?.url ? ` at ${host.record.url}` : ''}`);
}

export async function runDoctor(
  config: Config,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal,
  onResult: (result: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (r: CheckResult) => {
    results.push(r);
    onResult(r);
  };
  add(checkHost(config));
  add(checkNode());
  add(checkGit(config.appRoot));
  const runtime = await checkRuntime(config, env);
  add(runtime.result);
  add(checkSandboxAccess(config, runtime.runtime));
  add(await checkImage(config, env, runtime.runtime));
  add(await checkCredential(config, env, signal));
  add(checkAllowlist(config));
  add(checkDataDir(config));
  add(checkDatabase(config));
  add(checkDisk(config));
  add(await checkChannels(config, env));
  add(checkService(config, env));
  return results;
}
