/**
 * Pure: who may wake the agent by mail. The From address must be on the allowlist. That alone
 * is spoofable (anyone can write any From), so when the operator names the receiving server's
 * authserv-id (EMAIL_TRUSTED_AUTHSERV), the topmost Authentication-Results header from that
 * server must also say the From domain passed DMARC, or DKIM/SPF aligned with it.
 */

/** An exact address, or every address of a domain (`@example.com`). */
export type AllowEntry = { address: string } | { domain: string };

const ADDRESS = /^[^\s@,<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$|^[^\s@,<>]+@localhost$/;
const DOMAIN = /^@([A-Za-z0-9-]+\.)*[A-Za-z0-9-]+$/;

/** Parses `a@x.com, @y.org`; a string is the problem with the first bad entry. */
export function parseAllowlist(text: string): AllowEntry[] | string {
  const entries: AllowEntry[] = [];
  for (const raw of text.split(/[,\s]+/).filter(Boolean)) {
    const item = raw.toLowerCase();
    if (DOMAIN.test(item)) entries.push({ domain: item.slice(1) });
    else if (ADDRESS.test(item)) entries.push({ address: item });
    else {
      return `EMAIL_ALLOWED_SENDERS: "${raw}" is neither an address (ann@example.com) nor a domain (@example.com)`;
    }
  }
  return entries;
}

export function senderAllowed(address: string, allowlist: readonly AllowEntry[]): boolean {
  const a = address.toLowerCase();
  const domain = a.split('@').pop() ?? '';
  return allowlist.some((e) => ('address' in e ? e.address === a : e.domain === domain));
}

/** One method's result from an Authentication-Results header: `dkim=pass header.d=x.com`. */
export interface AuthResult {
  method: string;
  result: string;
  props: Record<string, string>;
}

/** Drops RFC 5322 comments (`(…)`, not nested deeper than one level in practice). */
const uncomment = (s: string) => s.replace(/\([^()]*\)/g, ' ');

/** Parses one header value: `authserv-id [version]; method=result prop=value …; …`. */
export function parseAuthResults(value: string): { authserv: string; results: AuthResult[] } {
  const [head = '', ...parts] = uncomment(value).split(';');
  const authserv = (head.trim().split(/\s+/)[0] ?? '').toLowerCase();
  const results: AuthResult[] = [];
  for (const part of parts) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const [first, ...rest] = tokens;
    const m = /^([\w.-]+)=([\w-]+)$/.exec(first ?? '');
    if (!m?.[1] || !m[2]) continue;
    const props: Record<string, string> = {};
    for (const t of rest) {
      const p = /^([\w.-]+)=(.+)$/.exec(t);
      if (p?.[1] && p[2]) props[p[1].toLowerCase()] = p[2].replace(/^"|"$/g, '').toLowerCase();
    }
    results.push({ method: m[1].toLowerCase(), result: m[2].toLowerCase(), props });
  }
  return { authserv, results };
}

/** `mail.example.com` is aligned with `example.com` (relaxed alignment), and vice versa. */
function aligned(domain: string | undefined, fromDomain: string): boolean {
  if (!domain) return false;
  const d = domain.replace(/^@/, '').split('@').pop() ?? '';
  return d === fromDomain || d.endsWith(`.${fromDomain}`) || fromDomain.endsWith(`.${d}`);
}

export type Verification =
  { verdict: 'not-checked' } | { verdict: 'pass'; how: string } | { verdict: 'fail'; why: string };

/**
 * What the trusted receiving server said about the From domain. Only the first (topmost, i.e.
 * the last added) header carrying the trusted authserv-id counts: the sender can add more below.
 */
export function verifySender(
  fromAddress: string,
  headerValues: readonly string[],
  trustedAuthserv: string | undefined,
): Verification {
  if (!trustedAuthserv) return { verdict: 'not-checked' };
  const fromDomain = (fromAddress.split('@').pop() ?? '').toLowerCase();
  const header = headerValues
    .map(parseAuthResults)
    .find((h) => h.authserv === trustedAuthserv.toLowerCase());
  if (!header) return { verdict: 'fail', why: `no Authentication-Results from ${trustedAuthserv}` };
  const pass = (method: string) =>
    header.results.filter((r) => r.method === method && r.result === 'pass');
  if (
    pass('dmarc').some(
      (r) => !r.props['header.from'] || aligned(r.props['header.from'], fromDomain),
    )
  ) {
    return { verdict: 'pass', how: 'dmarc=pass' };
  }
  if (pass('dkim').some((r) => aligned(r.props['header.d'] ?? r.props['header.i'], fromDomain))) {
    return { verdict: 'pass', how: 'dkim=pass (aligned)' };
  }
  if (pass('spf').some((r) => aligned(r.props['smtp.mailfrom'], fromDomain))) {
    return { verdict: 'pass', how: 'spf=pass (aligned)' };
  }
  const said = header.results.map((r) => `${r.method}=${r.result}`).join(' ') || 'nothing';
  return { verdict: 'fail', why: `${trustedAuthserv} said ${said} for ${fromDomain}` };
}

export type SenderDecision =
  | { kind: 'wake'; verification: Verification }
  | { kind: 'context'; why: string }
  | { kind: 'ignore'; why: string };

export interface MailFacts {
  /** Every address in From (more than one is refused: whose mail is it?). */
  from: string[];
  authResults: string[];
  /** `Auto-Submitted` other than `no`, or `Precedence: bulk|list|junk`: machines, not people. */
  automated: boolean;
}

/** Whether a mail reaches the host at all, and whether it may wake the agent. */
export function decideSender(
  mail: MailFacts,
  policy: { own: string; allowlist: readonly AllowEntry[]; trustedAuthserv: string | undefined },
): SenderDecision {
  const [from, ...more] = mail.from;
  if (!from || more.length > 0) return { kind: 'ignore', why: 'not exactly one From address' };
  if (from.toLowerCase() === policy.own) return { kind: 'ignore', why: 'sent by this mailbox' };
  if (!senderAllowed(from, policy.allowlist)) return { kind: 'ignore', why: 'sender not allowed' };
  const verification = verifySender(from, mail.authResults, policy.trustedAuthserv);
  if (verification.verdict === 'fail') return { kind: 'ignore', why: verification.why };
  // An auto-reply (vacation notice, bounce) from an allowed sender is kept but never wakes.
  if (mail.automated) return { kind: 'context', why: 'automated mail' };
  return { kind: 'wake', verification };
}
