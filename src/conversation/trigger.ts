/**
 * When does a group's agent answer? Pure rules: the main group and groups that do not require a
 * trigger answer every message; other groups only when a new message starts with the trigger
 * (`@<ASSISTANT_NAME>` unless the group overrides it), case-insensitive, at a word boundary,
 * after trimming, or when the platform says the message is addressed to the bot (a mention of it,
 * a reply to its message).
 */

export interface TriggerRules {
  isMain: boolean;
  requiresTrigger: boolean;
  /** Per-group override; undefined means `@<assistantName>`. */
  trigger: string | undefined;
}

export function defaultTrigger(assistantName: string): string {
  return `@${assistantName}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A pattern matching text that starts with the trigger followed by a non-word character or end. */
export function triggerPattern(trigger: string): RegExp {
  return new RegExp(`^${escapeRegExp(trigger.trim())}(?![\\p{L}\\p{N}_])`, 'iu');
}

export function startsWithTrigger(text: string, trigger: string): boolean {
  return triggerPattern(trigger).test(text.trim());
}

/** Whether this batch of new messages should wake the agent. */
export function shouldAnswer(
  rules: TriggerRules,
  assistantName: string,
  messages: readonly { content: string; mayTrigger?: boolean; addressed?: boolean }[],
): boolean {
  // Senders the chat's policy keeps as context (and bots) never wake the agent.
  const newMessages = messages.filter((m) => m.mayTrigger !== false);
  if (newMessages.length === 0) return false;
  if (rules.isMain || !rules.requiresTrigger) return true;
  const trigger = rules.trigger ?? defaultTrigger(assistantName);
  // The platform's own mention of the bot, or a reply to its message, is a trigger too.
  return newMessages.some((m) => m.addressed === true || startsWithTrigger(m.content, trigger));
}
