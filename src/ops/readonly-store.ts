/**
 * The store opened read-only, for operator commands that must not change anything (status with
 * the host down, why, backup checks): no migration, no chmod, no file created. A database of
 * another schema version is refused with what to do, rather than misread.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import type { Config } from '../config.js';
import { UserError, errorMessage } from '../errors.js';
import type { Db } from '../store/db.js';
import { GroupStore, SessionStore } from '../store/groups.js';
import { StoreInspector } from '../store/inspect.js';
import { MessageStore } from '../store/messages.js';
import { MIGRATIONS } from '../store/migrations.js';
import { PairingStore } from '../store/pairing.js';
import { TaskStore } from '../store/tasks.js';

export interface ReadOnlyStore {
  db: Db;
  groups: GroupStore;
  sessions: SessionStore;
  messages: MessageStore;
  tasks: TaskStore;
  pairing: PairingStore;
  inspect: StoreInspector;
  close(): void;
}

/** Undefined when there is no database yet (a fresh home). */
export function openReadOnlyStore(config: Config): ReadOnlyStore | undefined {
  if (!fs.existsSync(config.paths.db)) return undefined;
  let db: Db;
  try {
    db = new Database(config.paths.db, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new UserError(
      `Cannot open ${config.paths.db} to read it (${errorMessage(error)}): check that it belongs ` +
        'to you (ls -l), and run `nanoclaw doctor`.',
      {},
      { cause: error },
    );
  }
  const schema = Number(db.pragma('user_version', { simple: true }));
  if (schema !== MIGRATIONS.length) {
    db.close();
    throw new UserError(
      `${config.paths.db} has schema version ${schema}; this NanoClaw reads ${MIGRATIONS.length}. ` +
        (schema < MIGRATIONS.length
          ? 'Start it once (nanoclaw start) to upgrade the database, then try again.'
          : 'It was written by a newer NanoClaw: update this installation (git pull).'),
    );
  }
  return {
    db,
    groups: new GroupStore(db),
    sessions: new SessionStore(db),
    messages: new MessageStore(db),
    tasks: new TaskStore(db),
    pairing: new PairingStore(db),
    inspect: new StoreInspector(db),
    close: () => db.close(),
  };
}
