/**
 * Owner pairing: `nanoclaw pair <channel>` creates a one-time code (kept only as a hash, expires,
 * single use); the first DM on that channel whose text is the code binds that chat to main and
 * records its sender as the owner. No one becomes owner or main any other way.
 */
import crypto from 'node:crypto';
import type { Db } from './db.js';

/** Codes are 8 characters from an alphabet without look-alikes (0/O, 1/I/L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const PAIRING_TTL_MS = 10 * 60_000;

const hash = (code: string) =>
  crypto.createHash('sha256').update(normalizeCode(code)).digest('hex');

/** What a person may type: any case, spaces or dashes in between. */
export function normalizeCode(text: string): string {
  return text.toUpperCase().replace(/[\s-]/g, '');
}

export function looksLikeCode(text: string): boolean {
  const code = normalizeCode(text);
  return code.length === 8 && [...code].every((c) => ALPHABET.includes(c));
}

export class PairingStore {
  constructor(private readonly db: Db) {}

  /** A new code for `channel`, valid for PAIRING_TTL_MS; earlier unused codes stop working. */
  create(channel: string, now: number): { code: string; expiresAt: number } {
    const code = Array.from({ length: 8 }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join(
      '',
    );
    const expiresAt = now + PAIRING_TTL_MS;
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM pairing_codes WHERE channel = ? AND used_at IS NULL')
        .run(channel);
      this.db
        .prepare(
          `INSERT INTO pairing_codes (code_hash, channel, created_at, expires_at)
           VALUES (?, ?, ?, ?)`,
        )
        .run(hash(code), channel, now, expiresAt);
    })();
    return { code: `${code.slice(0, 4)}-${code.slice(4)}`, expiresAt };
  }

  /** Uses the code once: true only for a live, unused code of this channel. */
  consume(channel: string, text: string, chatId: string, now: number): boolean {
    if (!looksLikeCode(text)) return false;
    const result = this.db
      .prepare(
        `UPDATE pairing_codes SET used_at = ?, used_by_chat = ?
         WHERE code_hash = ? AND channel = ? AND used_at IS NULL AND expires_at > ?`,
      )
      .run(now, chatId, hash(text), channel, now);
    return result.changes === 1;
  }

  addOwner(senderId: string, chatId: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO owners (sender_id, chat_id, paired_at) VALUES (?, ?, ?)
         ON CONFLICT(sender_id) DO UPDATE SET chat_id = excluded.chat_id,
           paired_at = excluded.paired_at`,
      )
      .run(senderId, chatId, now);
  }

  owners(): string[] {
    const rows = this.db.prepare('SELECT sender_id AS id FROM owners ORDER BY paired_at').all();
    return (rows as { id: string }[]).map((r) => r.id);
  }
}
