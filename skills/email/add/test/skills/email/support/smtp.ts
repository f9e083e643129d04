/**
 * A local SMTP server for the email tests (npm smtp-server, the same maintainer's as nodemailer):
 * AUTH PLAIN/LOGIN checked against the mail users, no TLS, loopback only. Every accepted message
 * is recorded and, for a recipient `<user>@<domain>` with a mailbox, filed into that user's INBOX
 * through dovecot-lda — a real final hop, so a reply lands where a mail client would read it.
 */
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Dovecot, MailUser } from './dovecot.js';

export interface SentMail {
  from: string;
  to: string[];
  /** The AUTH user that sent it. */
  user: string;
  raw: Buffer;
  parsed: ParsedMail;
}

export interface SmtpServer {
  host: string;
  port: number;
  sent: SentMail[];
  /** user → password the server accepts (the mail users' own by default; a test may change one). */
  passwords: Map<string, string>;
  /** Waits until a recorded message passes `match`. */
  waitFor(match: (mail: SentMail) => boolean, timeoutMs?: number): Promise<SentMail>;
  close(): Promise<void>;
}

/** `accessTokens`: user → the XOAUTH2 access token the server accepts for them (else refused). */
export async function startSmtp(
  dovecot: Dovecot,
  users: readonly MailUser[],
  accessTokens: ReadonlyMap<string, string> = new Map(),
): Promise<SmtpServer> {
  const sent: SentMail[] = [];
  const passwords = new Map(users.map((u) => [u.name, u.password]));
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    allowInsecureAuth: true,
    logger: false,
    // No reverse DNS of 127.0.0.1 (it only slows each connection down here).
    disableReverseLookup: true,
    onAuth(auth, _session, done) {
      if (auth.method === 'XOAUTH2') {
        const ok = auth.username && accessTokens.get(auth.username) === auth.accessToken;
        // XOAUTH2 refusals carry a JSON status for the client (as Gmail's do).
        if (!ok) return done(null, { data: { status: '401', schemes: 'bearer' } });
        return done(null, { user: auth.username });
      }
      const known = auth.username !== undefined && passwords.get(auth.username);
      if (!known || known !== auth.password) return done(new Error('Invalid username or password'));
      done(null, { user: auth.username });
    },
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const to = session.envelope.rcptTo.map((r) => r.address);
        void simpleParser(raw).then(
          (parsed) => {
            for (const rcpt of to) {
              const local = rcpt.split('@')[0] ?? '';
              if (users.some((u) => u.name === local)) dovecot.deliver(local, raw);
            }
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            sent.push({ from, to, user: String(session.user), raw, parsed });
            done();
          },
          (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('smtp-server has no port');
  return {
    host: '127.0.0.1',
    port: address.port,
    sent,
    passwords,
    async waitFor(match, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = sent.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error('timed out waiting for a sent mail');
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
