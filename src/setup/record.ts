/**
 * What setup made that lies outside the data directory or in a container engine (the agent
 * image it built, the mount allowlist it created), kept in `$NANOCLAW_HOME/setup.json` so
 * `nanoclaw uninstall` removes exactly that and nothing the user made.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';

const RecordSchema = z.object({
  image: z
    .object({ engine: z.enum(['docker', 'podman', 'container']), tag: z.string() })
    .optional(),
  allowlistCreated: z.string().optional(),
  /** The main channel chosen in setup (`web` or a channel skill). */
  channel: z.string().optional(),
});
export type SetupRecord = z.infer<typeof RecordSchema>;

const file = (home: string) => path.join(home, 'setup.json');

export function readSetupRecord(home: string): SetupRecord {
  let text: string;
  try {
    text = fs.readFileSync(file(home), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = RecordSchema.safeParse(safeParse(text));
  if (!parsed.success) {
    throw new UserError(
      `${file(home)} is damaged: delete it (uninstall then keeps what setup made).`,
    );
  }
  return parsed.data;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // fails the schema: reported as damaged
  }
}

export function updateSetupRecord(home: string, change: Partial<SetupRecord>): void {
  const next = { ...readSetupRecord(home), ...change };
  fs.mkdirSync(home, { recursive: true, mode: 0o711 });
  fs.writeFileSync(file(home), `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
}
