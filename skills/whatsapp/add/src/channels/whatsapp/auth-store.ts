/**
 * The linked device's auth state (its identity keys and Signal sessions) as files in one
 * directory of the data directory: the directory is 0700 and every file 0600, written to a
 * temporary name and renamed (a crash never leaves half a key file). Whoever reads these files
 * can act as the WhatsApp account, so they are never mounted into a sandbox. Baileys' own
 * `useMultiFileAuthState` is not used: it writes with the process umask (0644) and in place.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AuthenticationCreds, AuthenticationState, SignalDataTypeMap } from 'baileys';
import { NanoClawError } from '../../errors.js';

/** The auth directory exists but is not a private directory of this user. */
export class AuthDirError extends NanoClawError {}

/** What Baileys needs at run time, passed in so this module loads without it. */
export interface AuthCodec {
  initAuthCreds(): AuthenticationCreds;
  replacer(key: string, value: unknown): unknown;
  reviver(key: string, value: unknown): unknown;
  /** Turns a stored app-state key back into its protobuf object. */
  appStateKey(value: unknown): unknown;
}

export interface FileAuthState {
  state: AuthenticationState;
  /** Whether the device is linked (creds from an earlier link were found). */
  registered: boolean;
  saveCreds(): Promise<void>;
}

/** A file name for a key id: anything but [A-Za-z0-9._-] is hex-escaped (no traversal). */
export function keyFile(type: string, id: string): string {
  const safe = (s: string) =>
    s.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `${safe(type)}-${safe(id)}.json`;
}

/** Creates the directory 0700, or checks an existing one is a directory and tightens it. */
export function ensurePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  if (!stat.isDirectory()) {
    throw new AuthDirError(`${dir} is not a directory: move it away and restart NanoClaw.`);
  }
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(dir, 0o700);
}

async function writePrivate(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  await fs.promises.writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  await fs.promises.rename(tmp, file);
}

async function readJson(file: string, codec: AuthCodec): Promise<unknown> {
  try {
    return JSON.parse(await fs.promises.readFile(file, 'utf8'), codec.reviver);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export async function fileAuthState(dir: string, codec: AuthCodec): Promise<FileAuthState> {
  ensurePrivateDir(dir);
  const credsFile = path.join(dir, 'creds.json');
  const stored = (await readJson(credsFile, codec)) as AuthenticationCreds | undefined;
  const creds = stored ?? codec.initAuthCreds();
  const file = (type: string, id: string) => path.join(dir, keyFile(type, id));
  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        await Promise.all(
          ids.map(async (id) => {
            const value = await readJson(file(type, id), codec);
            if (value === undefined) return;
            const typed = type === 'app-state-sync-key' ? codec.appStateKey(value) : value;
            out[id] = typed as SignalDataTypeMap[T];
          }),
        );
        return out;
      },
      async set(data) {
        const writes: Promise<void>[] = [];
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            writes.push(
              value
                ? writePrivate(file(type, id), JSON.stringify(value, codec.replacer))
                : fs.promises.rm(file(type, id), { force: true }),
            );
          }
        }
        await Promise.all(writes);
      },
    },
  };
  return {
    state,
    registered: Boolean(stored?.registered || stored?.me),
    saveCreds: () => writePrivate(credsFile, JSON.stringify(state.creds, codec.replacer)),
  };
}
