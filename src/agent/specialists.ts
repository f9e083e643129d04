/**
 * Loads the group's named specialists (`agents/*.md` in the group folder) for the SDK's
 * `agents` option. A file that does not parse is skipped and reported; the run goes on.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AgentDefinition } from '@anthropic-ai/claude-agent-sdk';
import { SpecialistNameSchema, parseSpecialist } from '../shared/specialists.js';

/** Most specialists loaded into one run, and the largest file read. */
const MAX_SPECIALISTS = 32;
const MAX_FILE_BYTES = 64 * 1024;

export interface LoadedSpecialists {
  agents: Record<string, AgentDefinition>;
  /** One line per file that was skipped, saying why. */
  problems: string[];
}

export function loadSpecialists(groupDir: string): LoadedSpecialists {
  const dir = path.join(groupDir, 'agents');
  const out: LoadedSpecialists = { agents: {}, problems: [] };
  let names: string[];
  try {
    names = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.md'))
      .sort();
  } catch {
    return out; // no agents/ folder: no specialists
  }
  for (const file of names.slice(0, MAX_SPECIALISTS)) {
    const name = file.slice(0, -3);
    const problem = (why: string) => out.problems.push(`agents/${file}: ${why}`);
    if (!SpecialistNameSchema.safeParse(name).success) {
      problem('the name must be lowercase letters, digits and -');
      continue;
    }
    const full = path.join(dir, file);
    const stat = fs.lstatSync(full);
    if (!stat.isFile() || stat.size > MAX_FILE_BYTES) {
      problem(`not a regular file of at most ${MAX_FILE_BYTES} bytes`);
      continue;
    }
    const parsed = parseSpecialist(fs.readFileSync(full, 'utf8'));
    if (!parsed.ok) {
      problem(parsed.error);
      continue;
    }
    const { description, prompt, tools, model } = parsed.value;
    out.agents[name] = {
      description,
      prompt,
      ...(tools ? { tools } : {}),
      ...(model ? { model } : {}),
    };
  }
  if (names.length > MAX_SPECIALISTS) problem2(out, names.length);
  return out;
}

function problem2(out: LoadedSpecialists, count: number): void {
  out.problems.push(`agents/: ${count} files, only the first ${MAX_SPECIALISTS} are loaded`);
}
