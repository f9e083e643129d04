/**
 * Who may do what, as pure decisions over the caller's RunContext (derived from its capability,
 * never from a request body). The main group administers; every other group acts only on itself.
 */
import type { RunContext } from '../gateway/types.js';

export type Decision = { allow: true } | { allow: false; reason: string };

const allow: Decision = { allow: true };
const deny = (reason: string): Decision => ({ allow: false, reason });

/** Sending a message: to any of the caller's own chats always; elsewhere only from main. */
export function canSendTo(
  caller: RunContext,
  ownChatIds: readonly string[],
  targetChatId: string,
): Decision {
  if (caller.group.isMain) return allow;
  if (ownChatIds.includes(targetChatId)) return allow;
  return deny(`group ${caller.group.folder} may only send messages to its own chats`);
}

/** Registering, changing or removing groups: main only. */
export function canManageGroups(caller: RunContext): Decision {
  return caller.group.isMain ? allow : deny('only the main group may manage groups');
}

/** Acting on another group's data (tasks, history): own group, or main for any group. */
export function canActOnGroup(caller: RunContext, targetFolder: string): Decision {
  if (caller.group.isMain || caller.group.folder === targetFolder) return allow;
  return deny(`group ${caller.group.folder} may not act on group ${targetFolder}`);
}

/** Handing sub-tasks to workers (`delegate`): any lead run; never a worker (one level only). */
export function canDelegate(caller: RunContext): Decision {
  if (!caller.worker) return allow;
  return deny('a worker cannot delegate further: only the lead run may hand out sub-tasks');
}
