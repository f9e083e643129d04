/**
 * dice (tool skill): the compiled module is found by the runner's tool loader, and the real SDK
 * CLI offers the tool to the model and runs it (fake model, no sandbox).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSkillTools } from '../../src/agent/skill-tools.js';
import type { HostClient } from '../../src/agent/host-client.js';
import { APP_ROOT } from '../support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from '../support/runner.js';

const noHost = { call: async () => ({ ok: false, error: 'none' }) } as unknown as HostClient;

describe('dice tool skill', () => {
  let fake: FakeAnthropic;
  let harness: RunnerHarness;
  beforeAll(async () => {
    fake = await startFakeAnthropic();
    harness = await startRunnerHarness(fake.url);
  });
  afterAll(async () => {
    await harness.close();
    await fake.close();
  });

  it('is loaded from dist/agent/tools', async () => {
    const tools = await loadSkillTools(path.join(APP_ROOT, 'dist/agent/tools'), { host: noHost });
    expect(tools.map((t) => t.name)).toContain('roll_dice');
  });

  it('is offered to the model and runs in the agent', async () => {
    const run = harness.start({ prompt: 'TOOL: mcp__skills__roll_dice {"count":3,"sides":6}' });
    await run.waitFor((e) => e.type === 'result');
    run.send({ type: 'close' });
    await run.exit;
    const first = JSON.stringify(fake.requests[0]?.body ?? {});
    expect(first).toContain('mcp__skills__roll_dice');
    const all = fake.requests.map((r) => JSON.stringify(r.body)).join('\n');
    expect(all).toMatch(/ROLLED \d \d \d \(total \d+\)/);
  });
});
