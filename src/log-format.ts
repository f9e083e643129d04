/**
 * The human-readable log line for terminals (pure): pino's JSON record in, one line out —
 * `21:40:21.123 INFO  host: sandbox started group=main runId=ab12`. Control characters are
 * escaped, so text that reached a log (an agent's error output) cannot drive the terminal.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** Keys shown in the line's fixed columns, or not at all. */
const FIXED = new Set(['time', 'level', 'msg', 'component', 'pid', 'hostname']);

// C0 and C1 controls (ESC, CSI, DEL …) and the line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value as `key=value` shows it: bare when unambiguous, else JSON-quoted. */
function fieldValue(key: string, value: unknown): string {
  if (key === 'err' && typeof value === 'object' && value !== null && 'message' in value)
    return fieldValue('', String(value.message));
  if (typeof value === 'string') {
    return /^[\w.:/@+,-]+$/.test(value) ? value : escapeControls(JSON.stringify(value));
  }
  if (value === undefined) return 'undefined';
  return escapeControls(JSON.stringify(value) ?? String(value));
}

function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  const ms = String(d.getMilliseconds()).padStart(3, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${ms}`;
}

/** One JSON log line → one readable line (ending in "\n"); anything else passes through. */
export function formatLogLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return escapeControls(line.replace(/\n$/, '')) + '\n'; // not pino's JSON: shown as it is
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    return escapeControls(line.replace(/\n$/, '')) + '\n';
  const r = record as Record<string, unknown>;
  const time = typeof r.time === 'number' ? clock(r.time) : '--:--:--.---';
  const level = (LEVELS[Number(r.level)] ?? String(r.level)).padEnd(5);
  const component = typeof r.component === 'string' ? `${escapeControls(r.component)}: ` : '';
  const message = typeof r.msg === 'string' ? escapeControls(r.msg) : '';
  const fields = Object.entries(r)
    .filter(([key]) => !FIXED.has(key))
    .map(([key, value]) => `${escapeControls(key)}=${fieldValue(key, value)}`);
  return `${[`${time} ${level} ${component}${message}`, ...fields].join(' ')}\n`;
}
