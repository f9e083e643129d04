/**
 * Splits a byte stream into lines with a hard cap per line, so a runaway or hostile writer
 * cannot make the host buffer unbounded data. Over-long lines are reported, not delivered.
 */
import type { Readable } from 'node:stream';

export interface LineHandlers {
  line(text: string): void;
  overflow(bytes: number): void;
}

export function readLines(stream: Readable, maxBytes: number, handlers: LineHandlers): void {
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  stream.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (!skipping && size + piece.length <= maxBytes) {
        parts.push(piece);
        handlers.line(Buffer.concat(parts).toString('utf8'));
      } else {
        handlers.overflow(size + piece.length);
      }
      parts = [];
      size = 0;
      skipping = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (skipping || size + rest.length > maxBytes) {
      // Drop the partial line now instead of holding up to maxBytes more.
      skipping = true;
      parts = [];
      size += rest.length;
      return;
    }
    parts.push(rest);
    size += rest.length;
  });
}
