/**
 * Webhook payloads (https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components),
 * parsed with zod and turned into what the host needs. The envelope must match or the whole POST
 * is refused; each message is parsed on its own, so one of an unknown type never hides the
 * others. Unknown fields are allowed (Meta adds them). Pure.
 */
import { z } from 'zod';
import type { AttachmentKind } from '../channel.js';

export const CHAT_PREFIX = 'wacloud:';

const Media = z.looseObject({
  id: z.string().min(1).max(200),
  mime_type: z.string().max(200).optional(),
  caption: z.string().max(4096).optional(),
  filename: z.string().max(1000).optional(),
  voice: z.boolean().optional(),
});

const BaseMessage = z.looseObject({
  from: z.string().regex(/^\d{1,20}$/),
  id: z.string().min(1).max(200),
  timestamp: z.string().regex(/^\d{1,12}$/),
  type: z.string().max(50),
  context: z.looseObject({ from: z.string().optional(), id: z.string().optional() }).optional(),
  text: z.looseObject({ body: z.string().max(65536) }).optional(),
  image: Media.optional(),
  document: Media.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  sticker: Media.optional(),
  button: z.looseObject({ text: z.string().max(4096) }).optional(),
  interactive: z
    .looseObject({
      button_reply: z.looseObject({ title: z.string().max(4096) }).optional(),
      list_reply: z.looseObject({ title: z.string().max(4096) }).optional(),
    })
    .optional(),
  location: z
    .looseObject({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().max(1000).optional(),
      address: z.string().max(1000).optional(),
    })
    .optional(),
});
type RawMessage = z.infer<typeof BaseMessage>;

const Status = z.looseObject({
  id: z.string(),
  status: z.string(),
  recipient_id: z.string().optional(),
  errors: z.array(z.looseObject({ code: z.number(), title: z.string().optional() })).optional(),
});

const Value = z.looseObject({
  messaging_product: z.literal('whatsapp'),
  metadata: z.looseObject({ phone_number_id: z.string(), display_phone_number: z.string() }),
  contacts: z
    .array(z.looseObject({ wa_id: z.string(), profile: z.looseObject({ name: z.string() }) }))
    .optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
});

const Envelope = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z
    .array(
      z.looseObject({
        changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).max(100),
      }),
    )
    .max(100),
});

export interface MediaRef {
  kind: AttachmentKind;
  mediaId: string;
  mime?: string;
  name?: string;
}

export interface ParsedMessage {
  chatId: string;
  chatName: string;
  /** The wamid (unique per message). */
  id: string;
  /** WhatsApp's timestamp (whole seconds) in ms; the channel makes it unique per chat. */
  ts: number;
  senderId: string;
  senderName: string;
  text: string;
  chatKind: 'dm';
  repliesToBot: boolean;
  files: MediaRef[];
}

export type WebhookEvent =
  | { kind: 'message'; message: ParsedMessage }
  | { kind: 'status'; id: string; status: string; recipient?: string; errorCodes: number[] }
  | { kind: 'skipped'; why: string; chatId?: string };

export type ParseResult = { ok: true; events: WebhookEvent[] } | { ok: false; problem: string };

const MEDIA_KINDS = [
  ['image', 'photo'],
  ['document', 'document'],
  ['video', 'video'],
  ['sticker', 'sticker'],
] as const;

function filesOf(m: RawMessage): MediaRef[] {
  const ref = (kind: AttachmentKind, media: z.infer<typeof Media>): MediaRef => ({
    kind,
    mediaId: media.id,
    ...(media.mime_type ? { mime: media.mime_type } : {}),
    ...(media.filename ? { name: media.filename } : {}),
  });
  const out: MediaRef[] = [];
  for (const [field, kind] of MEDIA_KINDS) {
    const media = m[field];
    if (m.type === field && media) out.push(ref(kind, media));
  }
  if (m.type === 'audio' && m.audio) out.push(ref(m.audio.voice ? 'voice' : 'audio', m.audio));
  return out;
}

/** The text a person would read for the message; undefined for types we do not handle. */
function textOf(m: RawMessage): string | undefined {
  switch (m.type) {
    case 'text':
      return m.text?.body;
    case 'image':
    case 'document':
    case 'video':
      return m[m.type]?.caption ?? '';
    case 'audio':
    case 'sticker':
      return '';
    case 'button':
      return m.button?.text;
    case 'interactive':
      return m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title;
    case 'location': {
      const l = m.location;
      if (!l) return undefined;
      const label = [l.name, l.address].filter(Boolean).join(', ');
      return `📍 ${label ? `${label} ` : ''}(${l.latitude}, ${l.longitude})`;
    }
    default:
      return undefined;
  }
}

function messageEvent(
  raw: unknown,
  value: z.infer<typeof Value>,
  names: Map<string, string>,
): WebhookEvent {
  const parsed = BaseMessage.safeParse(raw);
  if (!parsed.success) return { kind: 'skipped', why: 'a message did not match the schema' };
  const m = parsed.data;
  const chatId = `${CHAT_PREFIX}${m.from}`;
  const text = textOf(m);
  if (text === undefined) return { kind: 'skipped', why: `unsupported type ${m.type}`, chatId };
  const name = names.get(m.from) ?? `+${m.from}`;
  const ours = value.metadata.display_phone_number.replace(/\D/g, '');
  return {
    kind: 'message',
    message: {
      chatId,
      chatName: name,
      id: m.id,
      ts: Number(m.timestamp) * 1000,
      senderId: chatId,
      senderName: name,
      text,
      chatKind: 'dm',
      repliesToBot: m.context?.from !== undefined && m.context.from.replace(/\D/g, '') === ours,
      files: filesOf(m),
    },
  };
}

function statusEvent(raw: unknown): WebhookEvent {
  const parsed = Status.safeParse(raw);
  if (!parsed.success) return { kind: 'skipped', why: 'a status did not match the schema' };
  const s = parsed.data;
  return {
    kind: 'status',
    id: s.id,
    status: s.status,
    ...(s.recipient_id ? { recipient: s.recipient_id } : {}),
    errorCodes: (s.errors ?? []).map((e) => e.code),
  };
}

/** The events of one POST body for our phone number; other numbers' changes are skipped. */
export function parseWebhook(body: unknown, phoneNumberId: string): ParseResult {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) {
    return { ok: false, problem: 'not a WhatsApp Business Account webhook payload' };
  }
  const events: WebhookEvent[] = [];
  for (const change of envelope.data.entry.flatMap((e) => e.changes)) {
    if (change.field !== 'messages') {
      events.push({ kind: 'skipped', why: `field ${change.field}` });
      continue;
    }
    const value = Value.safeParse(change.value);
    if (!value.success) return { ok: false, problem: 'a messages change did not match the schema' };
    if (value.data.metadata.phone_number_id !== phoneNumberId) {
      events.push({ kind: 'skipped', why: 'another phone number' });
      continue;
    }
    const names = new Map((value.data.contacts ?? []).map((c) => [c.wa_id, c.profile.name]));
    for (const raw of value.data.messages ?? []) events.push(messageEvent(raw, value.data, names));
    for (const raw of value.data.statuses ?? []) events.push(statusEvent(raw));
  }
  return { ok: true, events };
}

/** The WhatsApp number of a chat id (`wacloud:15551234567` → `15551234567`). */
export function waIdOf(chatId: string): string | undefined {
  if (!chatId.startsWith(CHAT_PREFIX)) return undefined;
  const id = chatId.slice(CHAT_PREFIX.length);
  return /^\d{1,20}$/.test(id) ? id : undefined;
}
