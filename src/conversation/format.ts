/**
 * How messages are shown to the agent: one XML block, every value escaped (sender names,
 * content and file names are attacker-controlled), times in the user's time zone, and each
 * message's saved files listed with their path, type, size and original name.
 */
import { MAX_IMAGES_PER_MESSAGE } from '../shared/protocol.js';
import { MODEL_IMAGE_TYPES, formatBytes } from '../shared/mime.js';
import type { SavedAttachment } from '../store/messages.js';

export interface PromptMessage {
  senderName: string;
  content: string;
  ts: number;
  attachments?: readonly SavedAttachment[] | undefined;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

export function formatLocalTime(ts: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    weekday: 'short',
  }).format(new Date(ts));
}

const VOICE_NOTE = 'voice transcription is not available yet; the recording is saved at path';

/** One `<attachment>` element: where the file is, or why it is not there. */
export function describeAttachment(a: SavedAttachment): string {
  const attrs: [string, string][] = [['kind', a.kind]];
  if (a.path) attrs.push(['path', a.path], ['type', a.mime], ['size', formatBytes(a.size)]);
  if (a.name) attrs.push(['name', a.name]);
  const note = a.note ?? (a.kind === 'voice' || a.kind === 'audio' ? VOICE_NOTE : undefined);
  if (note) attrs.push(['note', note]);
  return `<attachment ${attrs.map(([k, v]) => `${k}="${escapeXml(v)}"`).join(' ')} />`;
}

function formatMessage(m: PromptMessage, timeZone: string): string {
  const files = (m.attachments ?? []).map((a) => `\n${describeAttachment(a)}`).join('');
  return (
    `<message sender="${escapeXml(m.senderName)}" time="${escapeXml(formatLocalTime(m.ts, timeZone))}">` +
    `${escapeXml(m.content)}${files}</message>`
  );
}

const isModelImage = (a: SavedAttachment) =>
  a.path !== '' && (MODEL_IMAGE_TYPES as readonly string[]).includes(a.mime);

/**
 * The saved images of a batch the model should see as image blocks: the newest few (the runner
 * checks each again). Every file stays listed in the prompt with its path either way.
 */
export function imagesOf(messages: readonly PromptMessage[]): string[] {
  const paths = messages.flatMap((m) =>
    (m.attachments ?? []).filter(isModelImage).map((a) => a.path),
  );
  return paths.slice(-MAX_IMAGES_PER_MESSAGE);
}

/** The prompt for a batch: a time-zone context line, then one `<message>` per message. */
export function formatMessages(messages: readonly PromptMessage[], timeZone: string): string {
  const lines = messages.map((m) => formatMessage(m, timeZone));
  return `<context timezone="${escapeXml(timeZone)}" />\n<messages>\n${lines.join('\n')}\n</messages>`;
}
