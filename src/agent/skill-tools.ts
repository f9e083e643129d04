/**
 * Tool skills: a skill adds `src/agent/tools/<name>.ts` exporting `tools(ctx)`, which returns
 * SDK MCP tool definitions. The runner imports every compiled module in `dist/agent/tools/` and
 * serves them as the `skills` MCP server (tools `mcp__skills__<tool>`), apart from our `nanoclaw`
 * server whose tools carry the host's authority. They run inside the sandbox like the agent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createSdkMcpServer } from '@anthropic-ai/claude-agent-sdk';
import type { HostClient } from './host-client.js';

export type SkillTool = NonNullable<Parameters<typeof createSdkMcpServer>[0]['tools']>[number];

/** What a tool module gets: the host API client of this run (authority decided by the host). */
export interface AgentToolContext {
  host: HostClient;
}

/** Imports `*.js` in `dir` (sorted); a module without `tools()` or a duplicate name is refused. */
export async function loadSkillTools(dir: string, ctx: AgentToolContext): Promise<SkillTool[]> {
  if (!fs.existsSync(dir)) return [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.js'))
    .sort();
  const loaded: SkillTool[] = [];
  for (const file of files) {
    const full = path.join(dir, file);
    const mod = (await import(pathToFileURL(full).href)) as { tools?: unknown };
    if (typeof mod.tools !== 'function') throw new Error(`${full} does not export tools(ctx)`);
    for (const t of (mod.tools as (c: AgentToolContext) => SkillTool[])(ctx)) {
      if (loaded.some((l) => l.name === t.name)) throw new Error(`tool ${t.name} defined twice`);
      loaded.push(t);
    }
  }
  return loaded;
}

export function skillsMcpServer(tools: SkillTool[]) {
  return createSdkMcpServer({ name: 'skills', version: '1.0.0', tools });
}
