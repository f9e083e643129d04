/**
 * One check's outcome, shared by `nanoclaw doctor` (every check) and `nanoclaw setup` (the
 * checks behind its verify steps): a pass, a warning or a failure, and for anything but a pass
 * the exact fix. Pure types and helpers only.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was found (never a secret). */
  detail: string;
  /** What to do about it; present for warn and fail. */
  fix?: string;
}

export const pass = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'pass',
  detail,
});

export const fail = (id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'fail',
  detail,
  fix,
});

export const warn = (id: string, title: string, detail: string, fix: string): CheckResult => ({
  id,
  title,
  status: 'warn',
  detail,
  fix,
});

export const skip = (id: string, title: string, detail: string): CheckResult => ({
  id,
  title,
  status: 'skip',
  detail,
});

/** Whether any result failed (doctor's and setup's exit code). */
export const anyFailed = (results: readonly CheckResult[]) =>
  results.some((r) => r.status === 'fail');

const MARK: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

/** One result as terminal lines: the mark, the title, what was found, then the fix. */
export function formatCheck(result: CheckResult): string {
  const head = `${MARK[result.status]} ${result.title}: ${result.detail}`;
  return result.fix ? `${head}\n    fix: ${result.fix.replace(/\n/g, '\n         ')}` : head;
}
