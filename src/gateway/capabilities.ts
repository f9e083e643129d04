/**
 * Per-run capabilities: 256-bit random tokens the host maps to (group, run). A request is
 * attributed only through this map; tokens are stored by their SHA-256 so lookups do not
 * compare secrets byte by byte, and they die when the run ends (or after `ttlMs` at the latest).
 */
import crypto from 'node:crypto';
import type { CapabilityRegistry, RunContext } from './types.js';

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export function createCapabilityRegistry(
  options: { ttlMs?: number; now?: () => number } = {},
): CapabilityRegistry {
  const ttlMs = options.ttlMs ?? 24 * 60 * 60_000;
  const now = options.now ?? Date.now;
  const live = new Map<string, { context: RunContext; expiresAt: number }>();
  return {
    issue(context) {
      const token = crypto.randomBytes(32).toString('base64url');
      live.set(hash(token), { context, expiresAt: now() + ttlMs });
      return token;
    },
    revoke(token) {
      live.delete(hash(token));
    },
    resolve(token) {
      if (!token) return undefined;
      const key = hash(token);
      const entry = live.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= now()) {
        live.delete(key);
        return undefined;
      }
      return entry.context;
    },
  };
}
