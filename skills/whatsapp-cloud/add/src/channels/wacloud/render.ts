/**
 * The agent's Markdown in WhatsApp's own formatting (https://faq.whatsapp.com/539178204879377):
 * `*bold*`, `_italic_`, `~strike~`, `` `code` ``, ```` ```monospace blocks``` ````, `> quotes` and
 * lists as text. Links become `text (url)`; headings bold; tables rows of ` | `. WhatsApp has no
 * escaping and no HTML, so everything else is passed as the text it is. Pure. The style is the
 * core's WHATSAPP_STYLE, shared with the whatsapp skill.
 */
import { WHATSAPP_STYLE, renderMarkup } from '../markdown.js';

/** WhatsApp's limit for one text message's body. */
export const MESSAGE_LIMIT = 4096;
/** WhatsApp's limit for a media caption. */
export const CAPTION_LIMIT = 1024;

/** Markdown → WhatsApp-formatted text. */
export function renderWhatsApp(markdown: string): string {
  return renderMarkup(markdown, WHATSAPP_STYLE);
}
