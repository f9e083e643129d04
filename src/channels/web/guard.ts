/**
 * Who may use the web chat. Pure decisions: with a token, every API call must carry it; without
 * one (loopback only), requests must be addressed to a loopback name (a DNS-rebinding page
 * cannot pass) and writes must not come from another origin.
 */
import crypto from 'node:crypto';

export interface RequestFacts {
  method: string;
  host: string | undefined;
  origin: string | undefined;
  authorization: string | undefined;
  queryToken: string | null;
}

/**
 * A loopback Host header, parsed strictly: the whole value is one loopback name and an optional
 * port, nothing before or after (`[::1]evil.example` or `localhost.evil` are not loopback).
 */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

function sameToken(given: string, expected: string): boolean {
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Undefined when allowed; otherwise the HTTP status and reason. */
export function checkAccess(
  facts: RequestFacts,
  token: string | undefined,
): { status: number; error: string } | undefined {
  if (token) {
    const bearer = /^Bearer\s+(\S+)$/i.exec(facts.authorization ?? '')?.[1];
    const given = bearer ?? facts.queryToken ?? '';
    if (!given || !sameToken(given, token)) {
      return {
        status: 401,
        error:
          'Missing or wrong access token: send "Authorization: Bearer <WEB_TOKEN>", or open the ' +
          'chat page as http://<host>:<port>/#token=<WEB_TOKEN>.',
      };
    }
    return undefined;
  }
  if (!isLoopbackHost(facts.host)) {
    return {
      status: 403,
      error: 'This web chat only answers requests addressed to 127.0.0.1 or localhost.',
    };
  }
  if (facts.method !== 'GET' && facts.origin) {
    let originHost = '';
    try {
      originHost = new URL(facts.origin).host;
    } catch {
      originHost = ''; // an unparsable Origin is treated as foreign
    }
    if (originHost !== facts.host) {
      return { status: 403, error: 'Cross-origin requests are not allowed.' };
    }
  }
  return undefined;
}
