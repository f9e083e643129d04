/**
 * Per-group policies as data: who may wake the agent (senders) and where its sandbox may connect
 * (egress). One schema each, for the store's JSON columns, the CLI and the main agent's tools;
 * the decisions themselves are in src/security/.
 */
import { z } from 'zod';

/** Senders: everyone, listed sender ids, or the owner; others' messages kept as context or dropped. */
export const SenderPolicySchema = z
  .object({
    allow: z.union([z.literal('all'), z.literal('owner'), z.array(z.string().min(1)).min(1)]),
    mode: z.enum(['trigger', 'drop']).default('trigger'),
  })
  .strict();
export type SenderPolicy = z.infer<typeof SenderPolicySchema>;

/** Egress: any public address, listed domains only, or nothing; host:port entries open one private address. */
export const EgressPolicySchema = z
  .object({
    mode: z.enum(['public', 'allowlist', 'none']),
    allow: z.array(z.string().min(1).max(253)).default([]),
  })
  .strict();
export type EgressPolicy = z.infer<typeof EgressPolicySchema>;
