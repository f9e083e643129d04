/** The group a command names: looked up exactly, with a hint when only the case differs. */
import { UserError } from '../errors.js';
import type { Group, GroupStore } from '../store/groups.js';

export function requireGroup(groups: GroupStore, folder: string | undefined, usage: string): Group {
  if (!folder) throw new UserError(`Give a group folder.\nUsage: ${usage}`);
  const group = groups.get(folder);
  if (group) return group;
  const same = groups.findSameFolder(folder);
  const hint = same ? ` Did you mean "${same.folder}"?` : '';
  const known = groups.list().map((g) => g.folder);
  throw new UserError(
    `No group "${folder}".${hint} Groups: ${known.join(', ') || 'none yet'} (nanoclaw groups list).`,
  );
}
