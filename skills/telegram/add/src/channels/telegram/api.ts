/**
 * The Bot API calls this channel makes, through grammY's client (`Api`), with standard
 * AbortSignals. One place that knows grammY's call shapes; everything else uses this interface.
 */
import { Api, InputFile } from 'grammy';
import type { Update } from 'grammy/types';
import type { TelegramSettings } from './settings.js';

export interface PollParams {
  offset: number;
  timeout: number;
  limit?: number;
  allowedUpdates?: ReadonlyArray<Exclude<keyof Update, 'update_id'>>;
}

export interface UploadFile {
  name: string;
  bytes: Buffer;
}

export interface BotApi {
  getMe(signal: AbortSignal): Promise<{ id: number; username: string }>;
  deleteWebhook(signal: AbortSignal): Promise<void>;
  getUpdates(params: PollParams, signal: AbortSignal): Promise<Update[]>;
  /** `html`: the text is Telegram HTML (parse_mode HTML); otherwise plain text. */
  sendMessage(chat: number, text: string, html: boolean, signal?: AbortSignal): Promise<void>;
  sendTyping(chat: number): Promise<void>;
  sendFile(
    as: 'photo' | 'document',
    chat: number,
    file: UploadFile,
    caption: { text: string; html: boolean } | undefined,
    signal: AbortSignal,
  ): Promise<void>;
  getFile(fileId: string, signal: AbortSignal): Promise<{ path?: string; size?: number }>;
}

/** grammY types signals as its abort-controller shim's; at run time it takes the standard one. */
type GrammySignal = NonNullable<Parameters<Api['getMe']>[0]>;
const sig = (signal: AbortSignal | undefined) => signal as unknown as GrammySignal | undefined;

export function botApi(settings: TelegramSettings, timeoutSeconds: number): BotApi {
  const api = new Api(settings.token, { apiRoot: settings.apiRoot, timeoutSeconds });
  return {
    async getMe(signal) {
      const me = await api.getMe(sig(signal));
      return { id: me.id, username: me.username };
    },
    async deleteWebhook(signal) {
      await api.deleteWebhook({}, sig(signal));
    },
    getUpdates: (p, signal) =>
      api.getUpdates(
        {
          offset: p.offset,
          timeout: p.timeout,
          ...(p.limit !== undefined ? { limit: p.limit } : {}),
          ...(p.allowedUpdates ? { allowed_updates: p.allowedUpdates } : {}),
        },
        sig(signal),
      ),
    async sendMessage(chat, text, html, signal) {
      await api.sendMessage(chat, text, html ? { parse_mode: 'HTML' } : {}, sig(signal));
    },
    async sendTyping(chat) {
      await api.sendChatAction(chat, 'typing');
    },
    async sendFile(as, chat, file, caption, signal) {
      const input = new InputFile(file.bytes, file.name);
      const other = caption
        ? { caption: caption.text, ...(caption.html ? { parse_mode: 'HTML' as const } : {}) }
        : {};
      if (as === 'photo') await api.sendPhoto(chat, input, other, sig(signal));
      else await api.sendDocument(chat, input, other, sig(signal));
    },
    async getFile(fileId, signal) {
      const file = await api.getFile(fileId, sig(signal));
      return {
        ...(file.file_path !== undefined ? { path: file.file_path } : {}),
        ...(file.file_size !== undefined ? { size: file.file_size } : {}),
      };
    },
  };
}
