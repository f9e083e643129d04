/**
 * Writing a group's named specialists (`agents/<name>.md` in its folder) from the host, for
 * the `define_agent` tool: a group may define its own, main any group's. Every run of the
 * group loads them (src/agent/specialists.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import { ForbiddenError, UserError } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import { canActOnGroup } from '../security/authz.js';
import type { DefineAgentBody } from '../shared/host-api.js';
import { SpecialistSchema, specialistFile } from '../shared/specialists.js';
import type { GroupStore } from '../store/groups.js';
import { groupPaths } from './workspace.js';

export function defineAgent(
  deps: { config: Config; groups: GroupStore },
  context: RunContext,
  body: DefineAgentBody,
): { group: string; agent: string; file: string; removed?: true } {
  const folder = body.group_folder ?? context.group.folder;
  const decision = canActOnGroup(context, folder);
  if (!decision.allow) throw new ForbiddenError(decision.reason);
  if (!deps.groups.get(folder)) throw new UserError(`No group "${folder}".`);
  const dir = path.join(groupPaths(deps.config, folder).groupDir, 'agents');
  const file = path.join(dir, `${body.name}.md`);
  const shown = `agents/${body.name}.md`;
  if (body.remove) {
    if (!fs.existsSync(file))
      throw new UserError(`Group ${folder} has no specialist ${body.name}.`);
    fs.rmSync(file);
    return { group: folder, agent: body.name, file: shown, removed: true };
  }
  const parsed = SpecialistSchema.safeParse({
    description: body.description,
    prompt: body.prompt,
    ...(body.tools ? { tools: body.tools } : {}),
    ...(body.model ? { model: body.model } : {}),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `The specialist is invalid (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''}); ` +
        'give a description and a prompt.',
    );
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  // Through a temp name: a run loading specialists never reads half a file.
  fs.writeFileSync(`${file}.tmp`, specialistFile(parsed.data), { mode: 0o644 });
  fs.renameSync(`${file}.tmp`, file);
  return { group: folder, agent: body.name, file: shown };
}
