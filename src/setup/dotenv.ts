/**
 * Edits `$NANOCLAW_HOME/.env` for setup: the keys a step owns are set in place (or removed),
 * new ones are appended with a comment saying what they are, and every other line (the user's
 * own settings, comments, a skill's token) is kept exactly. `editEnvText` is pure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

export interface EnvEdit {
  key: string;
  /** undefined removes the setting (e.g. an API key replaced by a subscription token). */
  value: string | undefined;
  /** One line on what it is, written above a new setting. */
  comment: string;
}

export const ENV_HEADER = [
  '# NanoClaw settings, read by the host only (never mounted into a sandbox). Keep this file',
  '# owner-only (chmod 600). Every setting: .env.example in the NanoClaw folder and README.md.',
  '# `nanoclaw setup` edits the settings it asks about and keeps every other line as it is.',
];

const KEY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/;

function quote(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new UserError(`${key} must be one line.`);
  if (/^[^\s'"#\\$`]*$/.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new UserError(`${key} may not contain both ' and " characters.`);
}

/** Pure: the .env text with `edits` applied. */
export function editEnvText(text: string, edits: readonly EnvEdit[]): string {
  const pending = new Map(edits.map((e) => [e.key, e]));
  const lines = text === '' ? [...ENV_HEADER] : text.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  for (const line of lines) {
    const key = KEY.exec(line)?.[1];
    const edit = key === undefined ? undefined : pending.get(key);
    if (!edit) {
      out.push(line);
      continue;
    }
    pending.delete(edit.key);
    if (edit.value !== undefined) out.push(`${edit.key}=${quote(edit.key, edit.value)}`);
  }
  for (const edit of pending.values()) {
    if (edit.value === undefined) continue;
    out.push('', `# ${edit.comment}`, `${edit.key}=${quote(edit.key, edit.value)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Applies the edits to the file atomically, owner-only (it holds secrets). */
export function editEnvFile(file: string, edits: readonly EnvEdit[]): void {
  if (edits.length === 0) return;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o711 });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const next = editEnvText(current, edits);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, next, { mode: 0o600 });
  fs.chmodSync(tmp, 0o600);
  fs.renameSync(tmp, file);
}
