/**
 * Runs one claimed task occurrence: the optional pre-check script in the group's sandbox, then
 * (if it asks to wake the agent) the agent in a sandbox, and its answer into the group's chat.
 * Each sandbox waits for its own slot from the host's limiter (as background work).
 */
import { z } from 'zod';
import { errorMessage } from '../errors.js';
import type { Host } from '../host.js';
import { runPrecheck } from '../runs/precheck.js';
import { runTurn } from '../runs/turn.js';
import type { Task } from '../store/tasks.js';
import type { RunOutcome } from './types.js';

const PrecheckSchema = z
  .object({ wakeAgent: z.boolean(), data: z.unknown().optional() })
  .passthrough();

export interface DispatchDeps {
  host: Host;
  /** Puts the agent's answer in the group's chat (history + outbox), labelled with its task. */
  post(chatId: string, text: string, task: Task): void;
}

/** Parses the pre-check's last line (pure): the data to wake the agent with, or why not to. */
export function parsePrecheck(stdout: string): { data: unknown } | { skip: string } {
  const last = stdout.trim().split('\n').at(-1) ?? '';
  let json: unknown;
  try {
    json = JSON.parse(last);
  } catch {
    return { skip: 'the pre-check script did not print JSON on its last line' };
  }
  const parsed = PrecheckSchema.safeParse(json);
  if (!parsed.success) return { skip: 'the pre-check output has no boolean "wakeAgent"' };
  if (!parsed.data.wakeAgent) return { skip: 'the pre-check script did not ask to wake the agent' };
  return { data: parsed.data.data ?? null };
}

export function createDispatcher(deps: DispatchDeps) {
  const { host } = deps;
  return async (task: Task, _run: { id: number }, signal: AbortSignal): Promise<RunOutcome> => {
    const group = host.groups.get(task.groupFolder);
    if (!group?.chatId) return { status: 'error', error: `group ${task.groupFolder} has no chat` };
    let prompt = task.prompt;
    try {
      if (task.script) {
        const check = parsePrecheck(await runPrecheck(host, group, task.script, signal));
        if ('skip' in check) return { status: 'skipped', result: check.skip };
        prompt += `\n\n<precheck-data>${JSON.stringify(check.data)}</precheck-data>`;
      }
      const answer = await runTurn(host, group, prompt, { text: () => {} }, signal, {
        session: task.contextMode,
        kind: 'task',
        task: task.id,
      });
      // Silence (only <internal> text) is a valid outcome: nothing is sent.
      if (answer) deps.post(group.chatId, answer, task);
      return { status: 'success', result: answer };
    } catch (error) {
      return { status: 'error', error: errorMessage(error) };
    }
  };
}
