/**
 * Outbound: Markdown rendered in WhatsApp's formatting, split at 4096 characters by the core
 * splitter (code blocks intact), sent in order through the socket; a file goes as an image or a
 * document (captioned when the text fits). Every part gets an id derived from the outbox
 * message and its position (BOT_ID_PREFIX + hash), so the channel recognises its own messages
 * when WhatsApp echoes them, and a retry skips the parts already delivered.
 */
import crypto from 'node:crypto';
import { NanoClawError, UserError } from '../../errors.js';
import type { OutboundMessage } from '../channel.js';
import { splitMarkdown } from '../split.js';
import { BOT_ID_PREFIX, jidOf } from './message.js';
import { CAPTION_LIMIT, MESSAGE_LIMIT, renderWhatsApp } from './render.js';
import type { WaSocket } from './socket.js';
import { SendProgress } from '../progress.js';

/** WhatsApp is not connected; the outbox retries the message later. */
export class NotConnectedError extends NanoClawError {}

const IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

type Step = (socket: WaSocket) => Promise<void>;

/** The id of part `index` of an outbox message: stable across retries and restarts. */
export function partId(messageId: string, index: number): string {
  const hash = crypto.createHash('sha256').update(`${messageId}:${index}`).digest('hex');
  return `${BOT_ID_PREFIX}${hash.slice(0, 20).toUpperCase()}`;
}

export class Sender {
  private readonly progress = new SendProgress();

  constructor(private readonly socket: () => WaSocket | undefined) {}

  async send(message: OutboundMessage): Promise<void> {
    const jid = jidOf(message.chatId);
    if (jid === undefined) throw new UserError(`${message.chatId} is not a WhatsApp chat id`);
    const steps = this.steps(jid, message);
    await this.progress.run(message.messageId, steps.length, async (i) => {
      const socket = this.socket();
      if (!socket) {
        throw new NotConnectedError('WhatsApp is not connected; the message will be retried.');
      }
      await steps[i]?.(socket);
    });
  }

  private steps(jid: string, message: OutboundMessage): Step[] {
    const { file, messageId } = message;
    const caption = renderWhatsApp(message.text);
    const fileStep =
      (index: number, text: string): Step =>
      (socket) =>
        this.sendFile(
          socket,
          jid,
          file as NonNullable<typeof file>,
          text,
          partId(messageId, index),
        );
    if (file && caption.length <= CAPTION_LIMIT) return [fileStep(0, caption)];
    const chunks = splitMarkdown(message.text, {
      limit: MESSAGE_LIMIT,
      measure: (md) => renderWhatsApp(md).length,
    });
    const steps: Step[] = chunks.map((md, i) => async (socket) => {
      await socket.sendMessage(
        jid,
        { text: renderWhatsApp(md) },
        { messageId: partId(messageId, i) },
      );
    });
    if (file) steps.push(fileStep(steps.length, ''));
    return steps;
  }

  private async sendFile(
    socket: WaSocket,
    jid: string,
    file: NonNullable<OutboundMessage['file']>,
    caption: string,
    messageId: string,
  ): Promise<void> {
    const withCaption = caption ? { caption } : {};
    const content = IMAGE_TYPES.has(file.mime)
      ? { image: file.bytes, mimetype: file.mime, ...withCaption }
      : {
          document: file.bytes,
          mimetype: file.mime || 'application/octet-stream',
          fileName: file.name,
          ...withCaption,
        };
    await socket.sendMessage(jid, content, { messageId });
  }
}
