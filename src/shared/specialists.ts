/**
 * Named specialists of a group: `agents/<name>.md` in the group folder, front matter then the
 * prompt. Parsed with zod on both sides (the host when main writes one, the runner when it
 * loads them into the SDK's `agents` option); an invalid file is reported, never fatal.
 *
 *     ---
 *     description: Checks facts against the sources given
 *     tools: Read, Grep, WebFetch
 *     model: inherit
 *     ---
 *     You are a careful fact checker...
 */
import { z } from 'zod';

export const SpecialistNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a name is lowercase letters, digits and -, up to 40');

export const SpecialistSchema = z
  .object({
    description: z.string().min(1).max(500),
    prompt: z.string().min(1).max(20_000),
    tools: z
      .array(z.string().regex(/^[A-Za-z0-9_*-]{1,100}$/))
      .max(50)
      .optional(),
    model: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/)
      .optional(),
  })
  .strict();
export type Specialist = z.infer<typeof SpecialistSchema>;

/** Front matter keys are simple `key: value` lines; `tools` is a comma-separated list. */
function frontMatter(text: string): { fields: Record<string, unknown>; body: string } | string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return 'no front matter: start the file with --- lines holding description';
  const fields: Record<string, unknown> = {};
  for (const line of (match[1] as string).split(/\r?\n/)) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon < 1) return `front matter line "${line.slice(0, 60)}" is not "key: value"`;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    fields[key] =
      key === 'tools'
        ? value
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean)
        : value;
  }
  return { fields, body: (match[2] as string).trim() };
}

/** Parses one specialist file (pure): the definition, or what is wrong with it. */
export function parseSpecialist(
  text: string,
): { ok: true; value: Specialist } | { ok: false; error: string } {
  const parsed = frontMatter(text);
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const { prompt: fromFields, ...fields } = parsed.fields;
  const result = SpecialistSchema.safeParse({ ...fields, prompt: parsed.body || fromFields });
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, error: `${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'}` };
}

/** The file text for a definition (what `define_agent` writes). */
export function specialistFile(specialist: Specialist): string {
  const lines = [`description: ${specialist.description.replace(/\s+/g, ' ')}`];
  if (specialist.tools?.length) lines.push(`tools: ${specialist.tools.join(', ')}`);
  if (specialist.model) lines.push(`model: ${specialist.model}`);
  return `---\n${lines.join('\n')}\n---\n${specialist.prompt.trim()}\n`;
}
