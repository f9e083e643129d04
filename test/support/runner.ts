/**
 * Drives the real agent runner (dist/agent/main.js) directly on the host, without a sandbox,
 * through a real gateway whose upstream is the fake model. For protocol and SDK behavior tests;
 * sandboxing is covered by the bwrap and end-to-end tests.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { secretSource } from '../../src/config.js';
import { createCapabilityRegistry } from '../../src/gateway/capabilities.js';
import { createGateway, type Gateway } from '../../src/gateway/server.js';
import type { RunContext } from '../../src/gateway/types.js';
import { silentLogger } from '../../src/log.js';
import type { SendMessageBody } from '../../src/shared/host-api.js';
import type { HostToRunner, RunnerToHost, StartMessage } from '../../src/shared/protocol.js';
import type { UsageHooks } from '../../src/usage/meter.js';
import { APP_ROOT } from './cli.js';

export interface RunnerHarness {
  dir: string;
  cwd: string;
  gateway: Gateway;
  sent: { context: RunContext; body: SendMessageBody; authorization?: string }[];
  start(fields: Partial<StartMessage> & { prompt: string }): RunnerProcess;
  close(): Promise<void>;
}

export interface RunnerProcess {
  events: RunnerToHost[];
  send(message: HostToRunner | string): void;
  /** Resolves with the first event matching, or rejects when the runner exits first. */
  waitFor(match: (e: RunnerToHost) => boolean): Promise<RunnerToHost>;
  exit: Promise<number | null>;
  stderr(): string;
}

/** `appRoot`: another installation's root (its dist/agent/main.js runs); default this one. */
export async function startRunnerHarness(
  upstreamUrl: string,
  appRoot = APP_ROOT,
  extra: { usage?: UsageHooks; context?: RunContext } = {},
): Promise<RunnerHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-runner-'));
  const cwd = path.join(dir, 'group');
  for (const d of ['group', 'home', 'tmp', 'claude']) fs.mkdirSync(path.join(dir, d));
  const capabilities = createCapabilityRegistry();
  const sent: RunnerHarness['sent'] = [];
  const gateway = await createGateway({
    socketPath: path.join(dir, 'gateway.sock'),
    upstreamUrl,
    secrets: secretSource({ ANTHROPIC_API_KEY: 'sk-runner-test' }, path.join(dir, '.env')),
    capabilities,
    handlers: {
      async sendMessage(context, body) {
        sent.push({ context, body });
      },
    },
    ...(extra.usage ? { usage: extra.usage } : {}),
    log: silentLogger(),
  });
  const context: RunContext = extra.context ?? {
    runId: 'run-1',
    group: { folder: 'main', isMain: true },
  };

  const start = (fields: Partial<StartMessage> & { prompt: string }): RunnerProcess => {
    const child = spawn(process.execPath, [path.join(appRoot, 'dist/agent/main.js')], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: path.join(dir, 'home'),
        TMPDIR: path.join(dir, 'tmp'),
        CLAUDE_CONFIG_DIR: path.join(dir, 'claude'),
        CLAUDE_CODE_MAX_RETRIES: '0',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const events: RunnerToHost[] = [];
    let buffer = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        const event = JSON.parse(line) as RunnerToHost;
        events.push(event);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    const send = (message: HostToRunner | string) =>
      child.stdin.write(
        typeof message === 'string' ? `${message}\n` : `${JSON.stringify(message)}\n`,
      );
    send({
      type: 'start',
      runId: context.runId,
      group: context.group,
      capability: capabilities.issue(context),
      gateway: gateway.endpoint,
      assistantName: 'Andy',
      timezone: 'UTC',
      ...fields,
    });
    let seen = 0;
    let exited = false;
    void exit.then(() => (exited = true));
    const waitFor = async (match: (e: RunnerToHost) => boolean) => {
      for (;;) {
        while (seen < events.length) {
          const e = events[seen++] as RunnerToHost;
          if (match(e)) return e;
        }
        if (exited) {
          throw new Error(`runner exited first; events: ${JSON.stringify(events)}\n${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    return { events, send, waitFor, exit, stderr: () => stderr };
  };

  return {
    dir,
    cwd,
    gateway,
    sent,
    start,
    async close() {
      await gateway.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
