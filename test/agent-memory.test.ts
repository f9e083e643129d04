/**
 * The runner's memory and specialists with the real SDK CLI against the fake model: the
 * group's agents/*.md reach the model as agent types (an invalid one is skipped and reported),
 * and a compaction (here `/compact`, the manual trigger of the same PreCompact hook) first
 * archives the conversation into the group folder, then gives the agent an internal turn to
 * save what matters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness, type RunnerHarness } from './support/runner.js';

describe('runner memory and specialists (real SDK CLI, fake model)', () => {
  let fake: FakeAnthropic;
  let harness: RunnerHarness;

  beforeAll(async () => {
    fake = await startFakeAnthropic();
    harness = await startRunnerHarness(fake.url);
    const agents = path.join(harness.cwd, 'agents');
    fs.mkdirSync(agents);
    fs.writeFileSync(
      path.join(agents, 'fact-checker.md'),
      '---\ndescription: SPECIALIST-MARKER checks facts\ntools: Read, Grep\n---\nCheck facts.\n',
    );
    fs.writeFileSync(path.join(agents, 'broken.md'), 'no front matter here');
  });

  afterAll(async () => {
    await harness.close();
    await fake.close();
  });

  it('loads valid specialists, reports invalid ones, archives before compaction', async () => {
    const run = harness.start({ prompt: 'remember: the boiler code is 4711' });
    await run.waitFor((e) => e.type === 'result');
    expect(JSON.stringify(fake.requests.at(-1)?.body)).toContain('SPECIALIST-MARKER');
    expect(run.stderr()).toContain('specialist skipped: agents/broken.md: no front matter');
    const before = fake.requests.length;
    run.send({ type: 'message', text: '/compact' });
    const dir = path.join(harness.cwd, 'conversations');
    const until = Date.now() + 30_000;
    while (!(fs.existsSync(dir) && fs.readdirSync(dir).length > 0) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const [file] = fs.readdirSync(dir);
    const archive = fs.readFileSync(path.join(dir, file as string), 'utf8');
    expect(archive).toContain('the boiler code is 4711');
    // After compaction the agent is told to save what matters, pointing at the archive.
    const until2 = Date.now() + 30_000;
    const reminded = () =>
      fake.requests
        .slice(before)
        .some((r) => JSON.stringify(r.body).includes('was just compacted'));
    while (!reminded() && Date.now() < until2) await new Promise((r) => setTimeout(r, 100));
    expect(reminded()).toBe(true);
    run.send({ type: 'close' });
    expect(await run.exit).toBe(0);
  });
});
