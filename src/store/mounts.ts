/** Extra mounts requested for a group (validated against the allowlist when used, not here). */
import { UserError } from '../errors.js';
import type { MountRequest } from '../security/mounts.js';
import type { Db } from './db.js';
import { folderKey } from './groups.js';

export class GroupMountStore {
  constructor(private readonly db: Db) {}

  list(folder: string): MountRequest[] {
    const rows = this.db
      .prepare(
        'SELECT name, host_path, read_write FROM group_mounts WHERE group_folder = ? ORDER BY name',
      )
      .all(folder) as { name: string; host_path: string; read_write: number }[];
    return rows.map((r) => ({
      name: r.name,
      hostPath: r.host_path,
      readWrite: r.read_write === 1,
    }));
  }

  /** Adds or replaces (same name) a mount; a name that differs from another only in case is
   * refused: `/workspace/extra/Data` beside `/workspace/extra/data` is one folder on macOS. */
  set(folder: string, request: MountRequest): void {
    const key = folderKey(request.name);
    const clash = this.list(folder).find(
      (m) => m.name !== request.name && folderKey(m.name) === key,
    );
    if (clash) {
      throw new UserError(
        `Mount name "${request.name}" differs from group ${folder}'s mount "${clash.name}" only ` +
          'in case; use that name to replace it, or another name.',
      );
    }
    this.db
      .prepare(
        `INSERT INTO group_mounts (group_folder, name, host_path, read_write) VALUES (?, ?, ?, ?)
         ON CONFLICT(group_folder, name) DO UPDATE SET host_path = excluded.host_path, read_write = excluded.read_write`,
      )
      .run(folder, request.name, request.hostPath, request.readWrite ? 1 : 0);
  }

  remove(folder: string, name: string): boolean {
    return (
      this.db
        .prepare('DELETE FROM group_mounts WHERE group_folder = ? AND name = ?')
        .run(folder, name).changes > 0
    );
  }
}
