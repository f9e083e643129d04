/**
 * Who may talk to a group's agent. Per chat: everyone (default), a list of sender ids, or only
 * the owner; others' messages are either kept as context but cannot wake the agent ("trigger")
 * or not stored at all ("drop"). Pure; an unreadable policy fails closed (owner only, drop).
 */
import { SenderPolicySchema, type SenderPolicy } from '../shared/policies.js';

export const OPEN_POLICY: SenderPolicy = { allow: 'all', mode: 'trigger' };
const CLOSED_POLICY: SenderPolicy = { allow: 'owner', mode: 'drop' };

/** Parses a stored policy; NULL is the open default, anything invalid the closed one. */
export function parseSenderPolicy(json: string | null): SenderPolicy {
  if (json === null) return OPEN_POLICY;
  try {
    const parsed = SenderPolicySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : CLOSED_POLICY;
  } catch {
    return CLOSED_POLICY; // corrupt JSON column: fail closed
  }
}

export type SenderDecision = 'allow' | 'context' | 'drop';

export function senderDecision(
  policy: SenderPolicy,
  senderId: string,
  ownerIds: readonly string[],
): SenderDecision {
  const allowed =
    policy.allow === 'all' ||
    (policy.allow === 'owner' && ownerIds.includes(senderId)) ||
    (Array.isArray(policy.allow) &&
      (policy.allow.includes(senderId) || ownerIds.includes(senderId)));
  if (allowed) return 'allow';
  return policy.mode === 'drop' ? 'drop' : 'context';
}
