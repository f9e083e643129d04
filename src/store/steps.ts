/**
 * The steps a turn took (tool calls, team members' progress), kept with the reply that ended it.
 * Informational: a reply whose steps were not saved (a crash in between) simply shows none.
 */
import { z } from 'zod';
import type { Db } from './db.js';

/** How many steps a reply keeps, and how long each may be (summaries are short already). */
export const MAX_STEPS = 200;
const MAX_STEP_CHARS = 500;

const StepSchema = z.object({
  at: z.number().int().nonnegative(),
  text: z.string().max(MAX_STEP_CHARS),
  agent: z.string().max(200).optional(),
});
export type Step = z.infer<typeof StepSchema>;
const StepsSchema = z.array(StepSchema).max(MAX_STEPS);

export class StepStore {
  constructor(private readonly db: Db) {}

  /** Keeps the turn's steps with its reply (the first MAX_STEPS; none: nothing kept). */
  save(chatId: string, messageId: string, steps: readonly Step[]): void {
    if (steps.length === 0) return;
    const kept = steps
      .slice(0, MAX_STEPS)
      .map((s) => ({ ...s, text: s.text.slice(0, MAX_STEP_CHARS) }));
    this.db
      .prepare('INSERT OR REPLACE INTO message_steps (chat_id, message_id, steps) VALUES (?, ?, ?)')
      .run(chatId, messageId, JSON.stringify(kept));
  }

  /** The steps of those of `messageIds` that have any; a row that does not parse is left out. */
  forMessages(chatId: string, messageIds: readonly string[]): Map<string, Step[]> {
    const found = new Map<string, Step[]>();
    if (messageIds.length === 0) return found;
    const rows = this.db
      .prepare(
        `SELECT message_id AS id, steps FROM message_steps
         WHERE chat_id = ? AND message_id IN (SELECT value FROM json_each(?))`,
      )
      .all(chatId, JSON.stringify(messageIds)) as { id: string; steps: string }[];
    for (const row of rows) {
      const parsed = StepsSchema.safeParse(parseJson(row.steps));
      if (parsed.success) found.set(row.id, parsed.data);
    }
    return found;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: fails the schema, so the row is left out
  }
}
