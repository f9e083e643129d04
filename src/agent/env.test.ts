import { describe, expect, it } from 'vitest';
import type { StartMessage } from '../shared/protocol.js';
import { cliEnv } from './env.js';

const start: StartMessage = {
  type: 'start',
  runId: 'run-1',
  group: { folder: 'family', isMain: false },
  prompt: 'hi',
  gateway: { kind: 'unix', path: '/run/nanoclaw/gateway.sock' },
  capability: 'cap_0123456789abcdef',
  assistantName: 'Andy',
  timezone: 'Europe/Berlin',
};
const own = {
  PATH: '/usr/local/bin:/usr/bin',
  HOME: '/home/agent',
  TMPDIR: '/tmp/run-1',
  CLAUDE_CONFIG_DIR: '/home/agent/.claude',
  CLAUDE_CODE_MAX_RETRIES: '0',
  ANTHROPIC_API_KEY: 'sk-ant-real-key',
  SOME_HOST_SECRET: 'x',
};

describe('cliEnv', () => {
  it('is built from scratch: the capability is the key, nothing else passes through', () => {
    const env = cliEnv(start, 'http://127.0.0.1:4100', own, false);
    expect(env).toMatchObject({
      PATH: own.PATH,
      HOME: own.HOME,
      TMPDIR: own.TMPDIR,
      TZ: 'Europe/Berlin',
      CLAUDE_CONFIG_DIR: own.CLAUDE_CONFIG_DIR,
      CLAUDE_CODE_MAX_RETRIES: '0',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:4100',
      ANTHROPIC_API_KEY: start.capability,
      NANOCLAW_HOST_URL: 'http://127.0.0.1:4100',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
    });
    expect(JSON.stringify(env)).not.toContain('sk-ant-real-key');
    expect(env).not.toHaveProperty('SOME_HOST_SECRET');
    expect(env).not.toHaveProperty('IS_SANDBOX');
  });

  it('tells the CLI it is sandboxed only when running as root', () => {
    expect(cliEnv(start, 'http://127.0.0.1:4100', own, true).IS_SANDBOX).toBe('1');
  });

  it('sends other traffic through the gateway proxy, loopback excepted', () => {
    const env = cliEnv(start, 'http://127.0.0.1:4100', {}, false);
    expect(env.HTTPS_PROXY).toBe(`http://nanoclaw:${start.capability}@127.0.0.1:4100`);
    expect(env.NO_PROXY).toContain('127.0.0.1');
    expect(env.PATH).toBeTruthy();
    expect(env).not.toHaveProperty('CLAUDE_CONFIG_DIR');
  });
});
