/**
 * What the chat is told about usage limits: a reached budget (once per group, budget and period,
 * also across restarts) and an upstream that keeps rate limiting a run (once per run). Also the
 * budget lines for the host status (`nanoclaw status`, the web page).
 */
import { errorMessage } from '../errors.js';
import type { RunContext } from '../gateway/types.js';
import type { Logger } from '../log.js';
import type { BudgetStore } from '../store/budgets.js';
import type { GroupStore } from '../store/groups.js';
import type { UsageStore } from '../store/usage.js';
import type { BudgetBlock } from './budget.js';
import { groupBudgetBlock } from './meter.js';
import type { UsageLinks } from '../host.js';

export interface NoticeDeps {
  groups: GroupStore;
  budgets: BudgetStore;
  usage: UsageStore;
  /** The chat a live conversation run answers. */
  answering(runId: string): string | undefined;
  /** Posts an assistant message into a chat. */
  post(chatId: string, text: string): void;
  now(): number;
  log: Logger;
}

export function overloadText(status: number, retryAfter: string | undefined): string {
  const what = status === 529 ? 'overloaded (HTTP 529)' : 'rate limiting this assistant (HTTP 429)';
  const wait = retryAfter && /^\d+$/.test(retryAfter) ? ` It asks to wait ${retryAfter} s.` : '';
  return (
    `The model service is ${what}; I keep retrying, so my answer may be late.${wait} ` +
    'If this persists, check your plan or rate limits with the model provider.'
  );
}

export class UsageNotices {
  constructor(private readonly deps: NoticeDeps) {}

  /** The links the usage meter calls (see host.ts). */
  links(): UsageLinks {
    return {
      chatOf: (context) => this.chatOf(context),
      refused: (context, block) =>
        this.tellBudget(context.group.folder, block, this.chatOf(context)),
      overloaded: (context, status, retryAfter) =>
        this.post(
          this.chatOf(context) ?? this.homeChat(context.group.folder),
          overloadText(status, retryAfter),
        ),
    };
  }

  /**
   * Before a conversation run: false (and the chat told once) when the group's budget is
   * reached. Its messages stay unanswered; the next message after the budget is raised or
   * resets answers them.
   */
  mayRun(folder: string, chatId: string): boolean {
    const block = groupBudgetBlock(this.deps, folder, this.deps.now());
    if (!block) return true;
    this.tellBudget(folder, block, chatId);
    return false;
  }

  /** One line per group over a budget right now, for the host status. */
  problems(): string[] {
    const now = this.deps.now();
    const lines = this.deps.groups.list().flatMap((group) => {
      const block = groupBudgetBlock(this.deps, group.folder, now);
      return block ? [block.message] : [];
    });
    // An all-groups budget reads the same for every group: once is enough.
    return [...new Set(lines)];
  }

  private chatOf(context: RunContext): string | undefined {
    return (
      this.deps.answering(context.runId) ??
      (context.task ? this.homeChat(context.group.folder) : undefined)
    );
  }

  private homeChat(folder: string): string | undefined {
    return this.deps.groups.get(folder)?.chatId;
  }

  private tellBudget(folder: string, block: BudgetBlock, chatId: string | undefined): void {
    const target = chatId ?? this.homeChat(folder);
    if (!target) return;
    if (!this.deps.budgets.noticeOnce(`${folder}|${block.key}`, this.deps.now())) return;
    this.deps.log.info({ group: folder, budget: block.key }, 'budget reached: chat told');
    this.post(target, block.message);
  }

  private post(chatId: string | undefined, text: string): void {
    if (!chatId) return;
    try {
      this.deps.post(chatId, text);
    } catch (error) {
      this.deps.log.error({ err: errorMessage(error) }, 'could not post a usage notice');
    }
  }
}
