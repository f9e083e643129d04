/**
 * Memory across compaction. Before the SDK compacts a long session (the PreCompact hook), the
 * runner archives the conversation so far as Markdown in the group folder
 * (`conversations/<time>-<session>.md`); once compacted, the agent gets one internal turn to
 * move what matters into its memory files (CLAUDE.md), with the archive at hand. A hook cannot
 * give the model a turn before compaction, so the archive keeps everything until that turn.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { HookCallback } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { diag } from './io.js';

/** Most of a transcript kept in one archive: its end, where the latest context is. */
const ARCHIVE_MAX_CHARS = 512 * 1024;

const LineSchema = z.object({
  type: z.enum(['user', 'assistant']),
  isSidechain: z.boolean().optional(),
  message: z.object({ content: z.union([z.string(), z.array(z.unknown())]) }),
});

function textOf(content: string | unknown[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((block) => {
      const b = block as { type?: unknown; text?: unknown };
      return b.type === 'text' && typeof b.text === 'string' ? b.text : '';
    })
    .filter(Boolean)
    .join('\n');
}

/**
 * The lead's conversation in a transcript (JSONL), as Markdown (pure): user and assistant
 * text only (tool traffic, system reminders and team members' own turns left out), secrets
 * masked, the newest part kept when it is long.
 */
export function transcriptMarkdown(jsonl: string, mask: (text: string) => string): string {
  const parts: string[] = [];
  for (const line of jsonl.split('\n')) {
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      continue; // a torn last line while the CLI writes: the rest still counts
    }
    const parsed = LineSchema.safeParse(json);
    if (!parsed.success || parsed.data.isSidechain) continue;
    const text = textOf(parsed.data.message.content).trim();
    if (!text || text.startsWith('<system-reminder>')) continue;
    parts.push(`## ${parsed.data.type === 'user' ? 'User' : 'Assistant'}\n\n${mask(text)}\n`);
  }
  const all = parts.join('\n');
  return all.length > ARCHIVE_MAX_CHARS ? `…\n${all.slice(-ARCHIVE_MAX_CHARS)}` : all;
}

/** What the agent is told after a compaction (its answer stays internal: nothing is sent). */
export function compactedReminder(archive: string): string {
  return (
    '<internal>Your session was just compacted. The conversation before it is archived at ' +
    `${archive}. Read what you need from it and save what matters for later (decisions, ` +
    'facts about people, open tasks) into your memory file CLAUDE.md now. Answer only with ' +
    '<internal>done</internal>: this turn is not sent to the chat.</internal>'
  );
}

/**
 * The PreCompact hook: archives the transcript into `<groupDir>/conversations/` and reports
 * the archive's path inside the sandbox; a failure is logged and compaction goes on.
 */
export function preCompactHook(
  groupDir: string,
  mask: (text: string) => string,
  archived: (sandboxPath: string) => void,
  now: () => Date = () => new Date(),
): HookCallback {
  return async (input) => {
    if (input.hook_event_name !== 'PreCompact') return { continue: true };
    try {
      const markdown = transcriptMarkdown(fs.readFileSync(input.transcript_path, 'utf8'), mask);
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const name = `${stamp}-${input.session_id.replace(/[^A-Za-z0-9_-]/g, '')}.md`;
      const dir = path.join(groupDir, 'conversations');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, name), `# Conversation before compaction\n\n${markdown}`);
      archived(path.join(dir, name));
    } catch (error) {
      diag(`could not archive the conversation before compaction: ${(error as Error).message}`);
    }
    return { continue: true };
  };
}
