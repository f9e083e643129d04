/**
 * `POST …/messages`: what the web owner types, into a chat of any channel the access rule admits
 * (views.ts chatAccess). In a web chat it is the user's message (JSON, or multipart with files
 * that go into the group's inbox); in another channel's chat of main it goes out as the
 * assistant's message, under a sender name that says it was typed on the web; elsewhere 403.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MessageTooLongError } from '../../conversation/service.js';
import { UserError } from '../../errors.js';
import { BodyTooLarge, readBody, sendJson } from '../../gateway/http.js';
import type { ChannelDeps } from '../channel.js';
import { isMultipart, parseUpload, uploadBodyLimit, uploadTooLarge } from './files.js';
import {
  BODY_TOO_LARGE,
  MAX_BODY_BYTES,
  parsePost,
  type Parsed,
  type PostBody,
} from './requests.js';
import type { Upload } from './files.js';
import { chatAccess, fromWebSender } from './views.js';

type Body = Parsed<PostBody | Upload>;

async function readMessage(deps: ChannelDeps, req: IncomingMessage): Promise<Body> {
  const contentType = req.headers['content-type'];
  const multipart = isMultipart(contentType);
  const maxFile = deps.config.attachmentMaxBytes;
  let raw: Buffer;
  try {
    raw = await readBody(req, multipart ? uploadBodyLimit(maxFile) : MAX_BODY_BYTES);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    return { ok: false, refusal: multipart ? uploadTooLarge(maxFile) : BODY_TOO_LARGE };
  }
  return multipart ? parseUpload(raw, contentType ?? '', maxFile) : parsePost(raw.toString('utf8'));
}

export async function postMessage(
  deps: ChannelDeps,
  req: IncomingMessage,
  res: ServerResponse,
  chatId: string,
): Promise<void> {
  const group = deps.groups.getByChat(chatId);
  const access = group ? chatAccess(chatId, group) : 'read-only';
  if (access === 'read-only') {
    return sendJson(res, 403, {
      error:
        `${chatId} belongs to group "${group?.folder ?? '?'}" on another channel: the web ` +
        'shows it read-only. Reply from that chat app, or from a chat of the main group.',
    });
  }
  const body = await readMessage(deps, req);
  if (!body.ok) return sendJson(res, body.refusal.status, { error: body.refusal.error });
  if (access === 'bot-reply') return replyAsAssistant(deps, res, chatId, body.value);
  const message = {
    chatId,
    chatName: group?.name ?? chatId,
    id: crypto.randomUUID(),
    ts: Date.now(),
    senderId: 'web-user',
    senderName: ('senderName' in body.value && body.value.senderName) || 'You',
    text: body.value.text,
    ...('attachments' in body.value ? { attachments: body.value.attachments } : {}),
  };
  try {
    await deps.receive('web', message);
  } catch (error) {
    // The conversation service has the last word on what it accepts.
    if (!(error instanceof UserError)) throw error;
    const status = error instanceof MessageTooLongError ? 413 : 400;
    return sendJson(res, status, { error: error.message });
  }
  sendJson(res, 201, { id: message.id, ts: message.ts });
}

/** The owner's reply into main's chat on another channel: the assistant's message, marked. */
function replyAsAssistant(
  deps: ChannelDeps,
  res: ServerResponse,
  chatId: string,
  body: PostBody | Upload,
): void {
  if ('attachments' in body) {
    return sendJson(res, 400, {
      error:
        'Files can be sent only in web chats; in this chat, send text (it goes out as the bot).',
    });
  }
  if (!deps.postAsAssistant) {
    return sendJson(res, 404, { error: 'Replying into other channels needs the running host.' });
  }
  const posted = deps.postAsAssistant(chatId, body.text, fromWebSender(deps.config.assistantName));
  sendJson(res, 201, posted);
}
