/**
 * What every channel skill's settings test gives its factory: the little of the host a factory
 * reads (config, env, log; health changes when asked), over a temp NANOCLAW_HOME that may hold
 * the `.env` the skill system writes. `cleanup` removes every home made so far (for afterEach).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChannelDeps, ChannelHealth } from '../../src/channels/channel.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { APP_ROOT } from './cli.js';

export interface FactoryHomes {
  /** Deps over a fresh home with `dotenv` as its `.env`; `env` is the process environment. */
  deps(env: Record<string, string>, dotenv?: string, health?: ChannelHealth[]): ChannelDeps;
  cleanup(): void;
}

export function factoryHomes(prefix: string): FactoryHomes {
  const homes: string[] = [];
  return {
    deps(env, dotenv = '', health) {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
      homes.push(home);
      if (dotenv) fs.writeFileSync(path.join(home, '.env'), dotenv);
      const full = { NANOCLAW_HOME: home, ...env };
      const partial: Pick<ChannelDeps, 'config' | 'env' | 'log' | 'healthChanged'> = {
        config: loadConfig(full, APP_ROOT),
        env: full,
        log: silentLogger(),
        ...(health ? { healthChanged: (_name, h) => void health.push(h) } : {}),
      };
      // The factory reads only these; the rest of the host is not needed here.
      return partial as ChannelDeps;
    },
    cleanup() {
      homes.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    },
  };
}
