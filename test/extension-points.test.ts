/**
 * The core's extension points, which skills plug into by adding files only. Each test goes red
 * if its extension point breaks: channel folders are discovered, tool modules next to the runner
 * become MCP tools the real SDK offers the model, and container skills reach the agent's Claude
 * home, where the real SDK lists them to the model.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadSkillTools } from '../src/agent/skill-tools.js';
import type { HostClient } from '../src/agent/host-client.js';
import {
  ChannelModuleError,
  channelFactories,
  channelNames,
  discoverChannels,
} from '../src/channels/registry.js';
import { installContainerSkills } from '../src/groups/container-skills.js';
import { APP_ROOT } from './support/cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './support/fake-anthropic.js';
import { startRunnerHarness } from './support/runner.js';

const dirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-ext-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const PROBE_TOOL = `export function tools() {
  return [{ name: 'core_probe', description: 'Probe tool', inputSchema: {},
    handler: async () => ({ content: [{ type: 'text', text: 'PROBE-TOOL-RAN' }] }) }];
}\n`;

describe('channel extension point', () => {
  it('finds dist/channels/<name>/index.js exporting createChannel, after the web chat', async () => {
    const dir = tmp();
    write(path.join(dir, 'zulu', 'index.js'), 'export const createChannel = () => null;\n');
    write(path.join(dir, 'web', 'server.js'), 'export {};\n'); // no index.js: not a channel module
    const found = await discoverChannels(dir);
    expect(found).toHaveLength(1);
    expect(found[0]?.name).toBe('zulu');
    expect(found[0]?.factory({} as never)).toBeNull();
    const all = await channelFactories(APP_ROOT);
    expect(all[0]?.name).toBe('createWebChannel');
    // Its name is a known channel for chat ids without loading the module.
    expect(channelNames(APP_ROOT)[0]).toBe('web');
  });

  it('refuses a channel folder whose module exports no factory', async () => {
    const dir = tmp();
    write(path.join(dir, 'broken', 'index.js'), 'export const nothing = 1;\n');
    await expect(discoverChannels(dir)).rejects.toThrow(ChannelModuleError);
  });
});

describe('agent tool extension point', () => {
  const host = {} as HostClient;

  it('loads every tool module in the folder; a duplicate tool name is refused', async () => {
    const dir = tmp();
    write(path.join(dir, 'probe.js'), PROBE_TOOL);
    expect((await loadSkillTools(dir, { host })).map((t) => t.name)).toEqual(['core_probe']);
    write(path.join(dir, 'probe2.js'), PROBE_TOOL);
    await expect(loadSkillTools(dir, { host })).rejects.toThrow(/core_probe defined twice/);
    expect(await loadSkillTools(path.join(dir, 'none'), { host })).toEqual([]);
  });
});

describe('container skill extension point', () => {
  it('replaces ~/.claude/skills with the current skills and follows no planted symlink', () => {
    const source = tmp();
    const home = tmp();
    const outside = tmp();
    write(path.join(source, 'reader', 'SKILL.md'), '---\nname: reader\n---\n');
    write(path.join(source, 'notaskill', 'README'), 'x');
    fs.symlinkSync(outside, path.join(home, 'skills'));
    expect(installContainerSkills(source, home)).toEqual(['reader']);
    expect(fs.lstatSync(path.join(home, 'skills')).isSymbolicLink()).toBe(false);
    expect(fs.readdirSync(outside)).toEqual([]);
    write(path.join(home, 'skills', 'stale', 'SKILL.md'), 'left by the agent');
    fs.rmSync(path.join(source, 'reader'), { recursive: true });
    expect(installContainerSkills(source, home)).toEqual([]);
    expect(fs.existsSync(path.join(home, 'skills'))).toBe(false);
  });
});

describe('tool and container skills reach the real SDK (fake model)', () => {
  let fake: FakeAnthropic | undefined;
  afterAll(async () => fake?.close());

  it('offers a tool module next to the runner and lists a container skill to the model', async () => {
    fake = await startFakeAnthropic();
    // A copy of this installation's runner with one tool module added next to it.
    const app = tmp();
    fs.cpSync(path.join(APP_ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
    fs.symlinkSync(path.join(APP_ROOT, 'node_modules'), path.join(app, 'node_modules'));
    write(path.join(app, 'package.json'), '{"type":"module"}\n');
    write(path.join(app, 'dist', 'agent', 'tools', 'probe.js'), PROBE_TOOL);
    const harness = await startRunnerHarness(fake.url, app);
    try {
      const claudeHome = path.join(harness.dir, 'claude');
      const source = tmp();
      write(
        path.join(source, 'probe-skill', 'SKILL.md'),
        '---\nname: probe-skill\ndescription: PROBE-SKILL-MARKER reads probes\n---\n\nBody.\n',
      );
      installContainerSkills(source, claudeHome);
      const run = harness.start({ prompt: 'TOOL: mcp__skills__core_probe {}' });
      await run.waitFor((e) => e.type === 'result');
      run.send({ type: 'close' });
      await run.exit;
      const first = JSON.stringify(fake.requests[0]?.body ?? {});
      expect(first).toContain('mcp__skills__core_probe');
      expect(first).toContain('PROBE-SKILL-MARKER');
      const all = fake.requests.map((r) => JSON.stringify(r.body)).join('\n');
      expect(all).toContain('PROBE-TOOL-RAN');
    } finally {
      await harness.close();
    }
  });
});
