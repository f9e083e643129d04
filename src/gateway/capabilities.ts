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
      // Forgotten capabilities (a run that never revoked) are dropped here, so the map stays small.
      const at = now();
      for (const [key, entry] of live) if (entry.expiresAt <= at) live.delete(key);
      const token = crypto.randomBytes(32).toString('base64url');
      // A frozen copy: nothing the caller or a handler does later can change who a token is.
      const frozen = Object.freeze({
        runId: context.runId,
        group: Object.freeze({ ...context.group }),
        ...(context.task ? { task: context.task } : {}),
      });
      live.set(hash(token), { context: frozen, expiresAt: at + ttlMs });
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
