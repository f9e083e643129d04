/**
 * How messages are shown to the agent: one XML block, every value escaped (sender names and
 * content are attacker-controlled), times in the user's time zone.
 */

export interface PromptMessage {
  senderName: string;
  content: string;
  ts: number;
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

/** The prompt for a batch: a time-zone context line, then one `<message>` per message. */
export function formatMessages(messages: readonly PromptMessage[], timeZone: string): string {
  const lines = messages.map(
    (m) =>
      `<message sender="${escapeXml(m.senderName)}" time="${escapeXml(formatLocalTime(m.ts, timeZone))}">` +
      `${escapeXml(m.content)}</message>`,
  );
  return `<context timezone="${escapeXml(timeZone)}" />\n<messages>\n${lines.join('\n')}\n</messages>`;
}
