/**
 * The SDK options of a run (pure apart from reading the process's cwd and uid): the group's
 * folder and memory, our MCP tools, the group's named specialists, and the hook that archives
 * the conversation before compaction.
 */
import type { AgentDefinition, Options } from '@anthropic-ai/claude-agent-sdk';
import type { StartMessage } from '../shared/protocol.js';
import { cliEnv } from './env.js';
import type { HostClient } from './host-client.js';
import { nanoclawMcpServer } from './mcp-tools.js';
import { preCompactHook } from './memory.js';
import { skillsMcpServer, type SkillTool } from './skill-tools.js';

export interface Tools {
  host: HostClient;
  skills: SkillTool[];
}

export interface RunExtras {
  /** The group's named specialists (agents/*.md), for the SDK's `agents` option. */
  agents: Record<string, AgentDefinition>;
  /** Called with the archive's path once the conversation is archived before compaction. */
  onArchived(archive: string): void;
  mask(text: string): string;
}

export function queryOptions(
  start: StartMessage,
  port: number,
  tools: Tools,
  extras: RunExtras,
  resume: string | undefined,
): Options {
  const baseUrl = `http://127.0.0.1:${port}`;
  const cwd = process.cwd();
  return {
    cwd,
    // 'project' loads the group's CLAUDE.md from the cwd as memory.
    settingSources: ['project', 'user'],
    systemPrompt: start.globalMemory
      ? { type: 'preset', preset: 'claude_code', append: start.globalMemory }
      : { type: 'preset', preset: 'claude_code' },
    permissionMode: 'bypassPermissions',
    allowDangerouslySkipPermissions: true,
    env: cliEnv(start, baseUrl, process.env, process.getuid?.() === 0),
    mcpServers: {
      nanoclaw: nanoclawMcpServer(tools.host, { worker: start.worker !== undefined }),
      ...(tools.skills.length > 0 ? { skills: skillsMcpServer(tools.skills) } : {}),
    },
    ...(Object.keys(extras.agents).length > 0 ? { agents: extras.agents } : {}),
    hooks: {
      PreCompact: [{ hooks: [preCompactHook(cwd, extras.mask, extras.onArchived)] }],
    },
    // Text deltas as the model writes them: the reply streams into live views (see partial.ts).
    includePartialMessages: true,
    // The CLI's diagnostics go to our stderr as they come (chunks, not lines).
    stderr: (data: string) => process.stderr.write(data),
    ...(resume ? { resume } : {}),
    ...(start.model ? { model: start.model } : {}),
    ...(start.effort ? { effort: start.effort } : {}),
  };
}
