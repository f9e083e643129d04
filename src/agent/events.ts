/**
 * Maps Claude Agent SDK messages to protocol events (pure). Only what the host needs crosses:
 * the session id, assistant text, a short summary of each tool call, and one result per turn.
 */
import type { RunnerToHost } from '../shared/protocol.js';

/** The parts of SDK messages we read; everything else is ignored. */
export interface SdkMessageLike {
  type: string;
  subtype?: string;
  session_id?: string;
  parent_tool_use_id?: string | null;
  message?: { content?: unknown };
  result?: unknown;
  is_error?: boolean;
  errors?: unknown;
}

const SUMMARY_MAX = 200;

export function summarizeToolInput(input: unknown): string {
  if (!input || typeof input !== 'object') return '';
  const record = input as Record<string, unknown>;
  const primary =
    record.description ?? record.command ?? record.file_path ?? record.pattern ?? record.url;
  const text = typeof primary === 'string' ? primary : JSON.stringify(record);
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

function contentBlocks(message: SdkMessageLike): Record<string, unknown>[] {
  const content = message.message?.content;
  return Array.isArray(content) ? (content as Record<string, unknown>[]) : [];
}

/** Events for one SDK message. `fresh` tells whether this run started a new session. */
export function toEvents(message: SdkMessageLike, fresh: boolean): RunnerToHost[] {
  if (message.type === 'system' && message.subtype === 'init' && message.session_id) {
    return [{ type: 'session', sessionId: message.session_id, fresh }];
  }
  // Subagents' own messages stay inside; the host sees the lead agent's conversation.
  if (message.type === 'assistant' && !message.parent_tool_use_id) {
    const events: RunnerToHost[] = [];
    for (const block of contentBlocks(message)) {
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        events.push({ type: 'text', text: block.text });
      } else if (block.type === 'tool_use' && typeof block.name === 'string') {
        events.push({ type: 'tool', name: block.name, summary: summarizeToolInput(block.input) });
      }
    }
    return events;
  }
  if (message.type === 'result') {
    if (message.subtype === 'success' && !message.is_error) {
      const text = typeof message.result === 'string' ? message.result : '';
      return [
        { type: 'result', text, ...(message.session_id ? { sessionId: message.session_id } : {}) },
      ];
    }
    return [{ type: 'error', message: resultError(message), retryable: true }];
  }
  return [];
}

export function resultError(message: SdkMessageLike): string {
  if (Array.isArray(message.errors) && message.errors.length > 0) return message.errors.join('; ');
  if (typeof message.result === 'string' && message.result) return message.result;
  return `the agent stopped (${message.subtype ?? 'error'})`;
}

/** Whether an error means the stored session cannot be resumed (start a fresh one instead). */
export function isInvalidSession(text: string): boolean {
  return /no conversation found|session .*not found|invalid session/i.test(text);
}
