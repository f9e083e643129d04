/**
 * The agent's Markdown as Slack mrkdwn (https://api.slack.com/reference/surfaces/formatting):
 * *bold*, _italic_, ~strike~, `code`, ``` blocks, <url|links>, > quotes; headings become bold,
 * lists and tables plain text lines. Everything else is text with Slack's three entities
 * escaped, so nothing the agent writes becomes a mention (<!channel>, <@U…>) or a fake link.
 * Pure.
 */
import { quoteLines, renderMarkup, type MarkupStyle } from '../markdown.js';

/** Slack truncates a message's text at 40 000 characters and advises at most 4 000. */
export const MESSAGE_LIMIT = 4000;

export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Only links a chat client can open safely become links; anything else stays text. */
const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** `|` and `>` end Slack's link markup early; percent-encode them in the URL. */
const linkTarget = (href: string) => escapeMrkdwn(href.replace(/\|/g, '%7C').replace(/>/g, '%3E'));

function link(href: string, text: string): string {
  if (!SAFE_LINK.test(href)) return text || escapeMrkdwn(href);
  const label = text.replace(/\|/g, '¦');
  return label && label !== escapeMrkdwn(href)
    ? `<${linkTarget(href)}|${label}>`
    : `<${linkTarget(href)}>`;
}

const MRKDWN: MarkupStyle = {
  escape: escapeMrkdwn,
  strong: (body) => `*${body}*`,
  em: (body) => `_${body}_`,
  del: (body) => `~${body}~`,
  codespan: (text) => `\`${escapeMrkdwn(text)}\``,
  // Slack's code blocks have no language; the fence must stand on its own lines.
  code: (text) => `\`\`\`\n${escapeMrkdwn(text)}\n\`\`\``,
  link,
  image: (href, alt) => link(href, escapeMrkdwn(alt)),
  quote: quoteLines,
  listIndent: '    ',
};

/** Markdown → Slack mrkdwn. */
export function renderMrkdwn(markdown: string): string {
  return renderMarkup(markdown, MRKDWN);
}
