/**
 * How a scheduled task's output is labelled in the chat history, without a store column: the
 * message's sender name is `<assistant> · task: <label>` (the text the chat app gets is the
 * answer as it is; only views that show sender names show the label). The label is the task's
 * prompt, shortened. Pure.
 */

const MARK = ' · task: ';
const MAX_LABEL_CHARS = 48;

/** The task's prompt as a short one-line label. */
export function taskLabel(prompt: string): string {
  const line = prompt.replace(/\s+/g, ' ').trim();
  return line.length > MAX_LABEL_CHARS ? `${line.slice(0, MAX_LABEL_CHARS - 1)}…` : line;
}

/** The sender name a task's answer is posted under. */
export function taskSender(assistantName: string, task: { prompt: string }): string {
  return `${assistantName}${MARK}${taskLabel(task.prompt)}`;
}

/** The task label in an assistant message's sender name, if it is a task's answer. */
export function taskOfSender(sender: string): string | undefined {
  const at = sender.indexOf(MARK);
  return at > 0 ? sender.slice(at + MARK.length) || undefined : undefined;
}
