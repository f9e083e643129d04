/**
 * Setup's progress, for people or for programs. On a terminal (or a plain pipe): numbered steps,
 * what is done marked done, long work as indented lines. With --json: one JSON object per line
 * per step event, so Claude Code's /setup (or a script) can follow and explain each failure.
 */
export type StepEvent =
  | { event: 'start'; step: string; index: number; total: number; title: string }
  | { event: 'progress'; step: string; line: string }
  /** `kept`: it was done before and left as it was; `changed`: this run wrote something. */
  | { event: 'done'; step: string; detail: string; changed: boolean; kept: boolean }
  | { event: 'skip'; step: string; detail: string }
  | { event: 'fail'; step: string; detail: string; fix: string }
  | { event: 'finish'; ok: boolean; detail: string };

export type Progress = (event: StepEvent) => void;

export function jsonProgress(write: (text: string) => void): Progress {
  return (event) => write(`${JSON.stringify(event)}\n`);
}

/** Pure: the terminal lines for one event. */
export function formatEvent(event: StepEvent): string {
  switch (event.event) {
    case 'start':
      return `\n[${event.index}/${event.total}] ${event.title}\n`;
    case 'progress':
      return `  … ${event.line}\n`;
    case 'done':
      return `  ✓ ${event.kept ? 'already done: ' : ''}${event.detail}\n`;
    case 'skip':
      return `  - ${event.detail}\n`;
    case 'fail':
      return `  ✗ ${event.detail}\n    fix: ${event.fix.replace(/\n/g, '\n         ')}\n`;
    case 'finish':
      return `\n${event.detail}\n`;
  }
}

export function textProgress(write: (text: string) => void): Progress {
  return (event) => write(formatEvent(event));
}
