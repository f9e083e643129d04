/**
 * The email tests' world: a real dovecot and a local SMTP server (delivering into it), mail users
 * agent (the channel's mailbox), ann (allowed) and mallory (not allowed), a way to send mail as
 * any of them through SMTP, and the real adapter wired to them with the host's side recorded.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { EmailChannel, type EmailOptions } from '../../../../src/channels/email/channel.js';
import { parseSettings, type EmailSettings } from '../../../../src/channels/email/settings.js';
import { EmailState } from '../../../../src/channels/email/state.js';
import { startDovecot, type Dovecot, type MailUser } from './dovecot.js';
import { startSmtp, type SmtpServer } from './smtp.js';
import { recordHost, until, type HostRecorder } from '../../../support/channel-harness.js';

export { until };

export const DOMAIN = 'example.test';
export const USERS: MailUser[] = [
  { name: 'agent', password: 'agent-imap-pw-7Qz' },
  { name: 'ann', password: 'ann-pw' },
  { name: 'mallory', password: 'mallory-pw' },
];
export const AGENT = `agent@${DOMAIN}`;
export const ANN = `ann@${DOMAIN}`;
export const MALLORY = `mallory@${DOMAIN}`;

export interface MailWorld {
  dovecot: Dovecot;
  smtp: SmtpServer;
  /** Sends a mail as `user` (ann by default) to the agent through the SMTP server. */
  send(options: Mail.Options, user?: string): Promise<string>;
  /** The settings `skills add email --set …` would write for the agent's mailbox. */
  values(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function startMailWorld(): Promise<MailWorld> {
  const dovecot = await startDovecot(USERS);
  const smtp = await startSmtp(dovecot, USERS);
  return {
    dovecot,
    smtp,
    async send(options, user = 'ann') {
      const password = USERS.find((u) => u.name === user)?.password ?? '';
      const transport = nodemailer.createTransport({
        host: smtp.host,
        port: smtp.port,
        secure: false,
        ignoreTLS: true,
        auth: { user, pass: password },
      });
      const info = await transport.sendMail({ from: `${user}@${DOMAIN}`, to: AGENT, ...options });
      transport.close();
      return info.messageId;
    },
    values: (extra = {}) => ({
      EMAIL_ADDRESS: AGENT,
      IMAP_HOST: dovecot.host,
      IMAP_PORT: String(dovecot.port),
      IMAP_TLS: 'false',
      IMAP_USER: 'agent',
      IMAP_PASSWORD: USERS[0]?.password ?? '',
      SMTP_HOST: smtp.host,
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      SMTP_USER: 'agent',
      EMAIL_ALLOWED_SENDERS: ANN,
      ...extra,
    }),
    async close() {
      await smtp.close();
      await dovecot.close();
    },
  };
}

export const FAST: EmailOptions = {
  timing: {
    backoff: { baseMs: 50, maxMs: 400 },
    random: () => 0.5,
    idleDelayMs: 20,
    maxIdleMs: 60_000,
  },
  maxMessageBytes: 1024 * 1024,
  smtpTimeoutMs: 5000,
};

export interface Harness extends HostRecorder {
  channel: EmailChannel;
  settings: EmailSettings;
  stateFile: string;
  stop(): Promise<void>;
}

export function settingsFrom(values: Record<string, string>): EmailSettings {
  const result = parseSettings(values);
  if (result.kind !== 'ok') throw new Error(`settings: ${JSON.stringify(result)}`);
  return result.settings;
}

/** The adapter against the world; `stateFile` lets a test "restart" with the same bookkeeping. */
export function startChannel(
  world: MailWorld,
  options: { values?: Record<string, string>; stateFile?: string; opts?: EmailOptions } = {},
): Harness {
  const host = recordHost();
  // Inside the world's temp dir, so world.close() removes it (a restart reuses `stateFile`).
  const stateFile =
    options.stateFile ??
    path.join(fs.mkdtempSync(path.join(world.dovecot.dir, 'channel-')), 'email.db');
  const settings = settingsFrom(options.values ?? world.values());
  const channel = new EmailChannel(
    settings,
    {
      log: host.deps.log,
      state: new EmailState(stateFile),
      assistantName: 'Andy',
      receive: host.deps.receive,
      healthChanged: host.deps.healthChanged,
    },
    options.opts ?? FAST,
  );
  void channel.start();
  return {
    channel,
    settings,
    stateFile,
    ...host,
    stop: () => channel.stop(),
  };
}

/** The cursor the channel keeps in its state file (read through a second connection). */
export function cursorOf(stateFile: string): { v: string; u: number } | undefined {
  if (!fs.existsSync(stateFile)) return undefined;
  const db = new Database(stateFile, { readonly: true });
  try {
    return db.prepare('SELECT uid_validity AS v, last_uid AS u FROM cursor').get() as
      { v: string; u: number } | undefined;
  } finally {
    db.close();
  }
}

/** Waits until the channel is connected and has set its cursor (the first start reads new mail only). */
export async function connected(h: Harness): Promise<void> {
  await until(() => h.channel.health().state === 'connected' && cursorOf(h.stateFile));
}
