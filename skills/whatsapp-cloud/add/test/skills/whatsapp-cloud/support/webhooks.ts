/**
 * Meta's side of the webhook: builds payloads as the Cloud API sends them (text, media,
 * statuses) and POSTs them signed with the app secret (`X-Hub-Signature-256`), or forged. The
 * signature is computed here independently of the adapter's code.
 */
import crypto from 'node:crypto';

export const APP_SECRET = 'f00dfacecafe0123456789abcdef0123';
export const VERIFY_TOKEN = 'verify-token-for-tests-0123456789';
export const ANN = { waId: '15551234567', name: 'Ann Lee' };

let next = 1;

/** A zero-padded fake wamid (the real ones are opaque base64). */
export const wamid = () => `wamid.in.${String(next++).padStart(6, '0')}`;

export function messagesPayload(
  phoneNumberId: string,
  value: { messages?: unknown[]; statuses?: unknown[]; from?: { waId: string; name: string } },
): Record<string, unknown> {
  const from = value.from ?? ANN;
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: from.name }, wa_id: from.waId }],
              ...(value.messages ? { messages: value.messages } : {}),
              ...(value.statuses ? { statuses: value.statuses } : {}),
            },
          },
        ],
      },
    ],
  };
}

export function textMessage(text: string, fields: Record<string, unknown> = {}) {
  return {
    from: ANN.waId,
    id: wamid(),
    timestamp: '1700000000',
    type: 'text',
    text: { body: text },
    ...fields,
  };
}

export function mediaMessage(
  type: 'image' | 'document' | 'audio' | 'video' | 'sticker',
  media: Record<string, unknown>,
) {
  return { from: ANN.waId, id: wamid(), timestamp: '1700000000', type, [type]: media };
}

export function signature(secret: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface Delivery {
  status: number;
  text: string;
}

/** POSTs `payload` to the webhook; signed with `secret` unless a header is given. */
export async function deliver(
  webhookUrl: string,
  payload: unknown,
  options: { secret?: string; header?: string | null; body?: string } = {},
): Promise<Delivery> {
  const body = options.body ?? JSON.stringify(payload);
  const header =
    options.header === undefined ? signature(options.secret ?? APP_SECRET, body) : options.header;
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(header !== null ? { 'x-hub-signature-256': header } : {}),
    },
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Like Meta: delivers again (with a short pause) until the webhook answers 200. */
export async function deliverUntilOk(
  webhookUrl: string,
  payload: unknown,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (let attempts = 1; ; attempts++) {
    const result = await deliver(webhookUrl, payload).catch(() => ({ status: 0, text: '' }));
    if (result.status === 200) return attempts;
    if (Date.now() > deadline) throw new Error(`webhook never accepted: last ${result.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
