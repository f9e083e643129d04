/**
 * The webhook Meta calls (https://developers.facebook.com/docs/graph-api/webhooks/getting-started):
 * `GET /webhook` answers the verify-token handshake by echoing `hub.challenge` (a wrong token:
 * 403); `POST /webhook` must carry a valid `X-Hub-Signature-256` over the raw body (else 401,
 * logged), stay under the size cap (else 413) and parse (else 400). A POST is answered 200 only
 * after its messages are stored, so a crash or a store failure (500) makes Meta deliver it
 * again; the store ignores a message it already has.
 */
import type http from 'node:http';
import type { Logger } from '../../log.js';
import { parseWebhook, type WebhookEvent } from './payload.js';
import type { CloudSettings } from './settings.js';
import { checkSignature, sameSecret } from './signature.js';

export const WEBHOOK_PATH = '/webhook';

export interface WebhookDeps {
  settings: Pick<CloudSettings, 'appSecret' | 'verifyToken' | 'phoneNumberId'>;
  log: Logger;
  maxBodyBytes: number;
  /** Stores the events' messages; resolves once they are durable. */
  handle(events: WebhookEvent[]): Promise<void>;
}

/** What Meta sends as a challenge: a number; anything else is not echoed. */
const CHALLENGE = /^[\w.-]{1,200}$/;

class BodyTooLarge extends Error {}

async function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > max) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > max) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function answer(res: http.ServerResponse, status: number, text = ''): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function verify(deps: WebhookDeps, url: URL, res: http.ServerResponse): void {
  const q = url.searchParams;
  const challenge = q.get('hub.challenge') ?? '';
  const ok =
    q.get('hub.mode') === 'subscribe' &&
    sameSecret(deps.settings.verifyToken, q.get('hub.verify_token') ?? '') &&
    CHALLENGE.test(challenge);
  if (!ok) {
    deps.log.warn('webhook verification refused: wrong or missing verify token');
    return answer(res, 403, 'forbidden');
  }
  deps.log.info('webhook verified by Meta');
  answer(res, 200, challenge);
}

async function receive(
  deps: WebhookDeps,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    deps.log.warn({ max: deps.maxBodyBytes }, 'webhook refused: body too large');
    res.setHeader('connection', 'close');
    return answer(res, 413, 'too large');
  }
  const verdict = checkSignature(deps.settings.appSecret, body, req.headers['x-hub-signature-256']);
  if (verdict !== 'ok') {
    const from = req.socket.remoteAddress;
    deps.log.warn({ verdict, from, bytes: body.length }, 'webhook refused: bad signature');
    return answer(res, 401, 'bad signature');
  }
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    deps.log.warn({ bytes: body.length }, 'webhook refused: signed body is not JSON');
    return answer(res, 400, 'not JSON');
  }
  const parsed = parseWebhook(json, deps.settings.phoneNumberId);
  if (!parsed.ok) {
    deps.log.warn({ problem: parsed.problem }, 'webhook refused: unexpected payload');
    return answer(res, 400, parsed.problem);
  }
  await deps.handle(parsed.events);
  answer(res, 200, 'ok');
}

/** The request listener for node:http; never throws (a failure answers 500 and is logged). */
export function webhookListener(deps: WebhookDeps) {
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://webhook.local');
    const route = url.pathname === WEBHOOK_PATH ? req.method : 'none';
    const work =
      route === 'GET'
        ? Promise.resolve(verify(deps, url, res))
        : route === 'POST'
          ? receive(deps, req, res)
          : Promise.resolve(answer(res, url.pathname === WEBHOOK_PATH ? 405 : 404, 'not here'));
    work.catch((error: unknown) => {
      deps.log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'webhook delivery not stored; Meta will retry',
      );
      if (!res.headersSent) answer(res, 500, 'try again');
    });
  };
}
