/** Tool skill `dice`: rolls dice inside the sandbox. An example of the tool extension point. */
import crypto from 'node:crypto';
import { tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import type { AgentToolContext, SkillTool } from '../skill-tools.js';

export function tools(_ctx: AgentToolContext): SkillTool[] {
  return [
    tool(
      'roll_dice',
      'Roll dice fairly (for games and random choices). Returns each roll and the total.',
      {
        count: z.number().int().min(1).max(100).default(1).describe('How many dice'),
        sides: z.number().int().min(2).max(1000).default(6).describe('Sides per die'),
      },
      async ({ count, sides }) => {
        const rolls = Array.from({ length: count }, () => crypto.randomInt(1, sides + 1));
        const total = rolls.reduce((a, b) => a + b, 0);
        return { content: [{ type: 'text', text: `ROLLED ${rolls.join(' ')} (total ${total})` }] };
      },
    ),
  ];
}
