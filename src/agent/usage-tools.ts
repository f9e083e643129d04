/**
 * The usage, budget and model tools of our `nanoclaw` MCP server. Thin calls to the host API:
 * the host decides what the run's group may see (its own usage; main: any) and change (main only).
 */
import { tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { USAGE_API_PATHS } from '../shared/usage-api.js';
import type { HostClient } from './host-client.js';

type ToolResult = { [key: string]: unknown; content: { type: 'text'; text: string }[] };
type Forward = (host: HostClient, path: string, body: unknown, done: string) => Promise<ToolResult>;

export function usageTools(host: HostClient, forward: Forward) {
  const folder = z.string().describe('The group folder');
  return [
    tool(
      'get_usage',
      'Show model usage (tokens, cost in USD where the price is known), budgets and what ' +
        'pre-checks saved. Default: this group this month; other groups: main only.',
      {
        group_folder: folder.optional(),
        since: z.string().optional().describe('today, month, 24h, 7d or a date like 2026-12-01'),
        by: z.enum(['day', 'group', 'task', 'model', 'channel']).optional(),
      },
      async (args) => forward(host, USAGE_API_PATHS.getUsage, args, 'No usage.'),
    ),
    tool(
      'set_budget',
      "Set or clear a model budget (main group only): a group's, or all groups' together " +
        '(group_folder "all"), per day or month (UTC), in USD or tokens; amount null clears it. ' +
        'When reached, the host refuses that group’s model requests until it resets or is raised.',
      {
        group_folder: z.string().describe('The group folder, or "all"'),
        period: z.enum(['daily', 'monthly']),
        unit: z.enum(['usd', 'tokens']),
        amount: z.number().nonnegative().nullable(),
      },
      async (args) => forward(host, USAGE_API_PATHS.setBudget, args, 'Budget set.'),
    ),
    tool(
      'set_model',
      'Set the model (and reasoning effort) of a group or of one task (main group only); ' +
        'null clears it back to the default. Applies from the next run.',
      {
        group_folder: folder.optional(),
        task_id: z.string().optional().describe('A task id instead of a group'),
        model: z.string().nullable().describe('e.g. claude-sonnet-4-5, or null'),
        effort: z.enum(['low', 'medium', 'high', 'xhigh', 'max']).nullable().optional(),
      },
      async (args) => forward(host, USAGE_API_PATHS.setModel, args, 'Model set.'),
    ),
  ];
}
