/**
 * A real IMAP server for the email tests: Debian's dovecot, started from a self-contained
 * loopback config under a temp dir (passwd-file users, Maildir, no TLS, nothing in /etc), and
 * its local-delivery agent (dovecot-lda) to file mail into a user's INBOX. Installed with apt
 * when missing and we are root; otherwise the tests that need it skip and say why.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../support/channel-harness.js';

export const DOVECOT = '/usr/sbin/dovecot';
export const LDA = '/usr/lib/dovecot/dovecot-lda';

export interface MailUser {
  name: string;
  password: string;
}

export interface Dovecot {
  host: string;
  port: number;
  dir: string;
  /** Files a raw message into `user`'s INBOX (as an MTA's final hop would). */
  deliver(user: string, raw: Buffer | string): void;
  /** Stops the server (SIGTERM, or SIGKILL to simulate a crash) and waits until it is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts it again on the same port with the same mailboxes. */
  start(): Promise<void>;
  /** Shell access for tests that change the mailbox under the client (doveadm). */
  doveadm(args: string[]): string;
  close(): Promise<void>;
}

/**
 * Whether dovecot can run here, installing it first as root on Debian (as scripts/prepare.mjs
 * does for `npm test`). Returns the reason it cannot, for the skip message.
 */
export function dovecotUnavailable(): string | undefined {
  if (fs.existsSync(DOVECOT) && fs.existsSync(LDA)) return undefined;
  if (process.getuid?.() === 0 && fs.existsSync('/usr/bin/apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'dovecot-imapd'], {
      env,
      stdio: 'ignore',
    });
    if (fs.existsSync(DOVECOT) && fs.existsSync(LDA)) return undefined;
    return 'apt-get install dovecot-imapd failed';
  }
  return 'dovecot is not installed and this is not root: sudo apt-get install dovecot-imapd';
}

/**
 * `introspectionUrl`: XOAUTH2 logins too, each access token checked by POSTing it to that URL
 * (RFC 7662 token introspection; the answer must be `{"active":true,"username":…}`).
 */
export interface DovecotOptions {
  introspectionUrl?: string;
}

function oauthConfig(dir: string, url: string | undefined): string {
  if (!url) return '';
  fs.writeFileSync(
    path.join(dir, 'oauth2.conf'),
    `introspection_url = ${url}\nintrospection_mode = post\nforce_introspection = yes\n` +
      'username_attribute = username\nactive_attribute = active\nactive_value = true\n',
  );
  return `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${dir}/oauth2.conf\n}\n`;
}

function config(dir: string, port: number, options: DovecotOptions = {}): string {
  const root = process.getuid?.() === 0;
  const me = os.userInfo();
  // As root, mail belongs to nobody (dovecot refuses uid 0); otherwise to whoever runs the tests.
  const [uid, gid] = root ? [65534, 65534] : [me.uid, me.gid];
  const internal = root ? 'dovecot' : me.username;
  const login = root ? 'dovenull' : me.username;
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login${options.introspectionUrl ? ' xoauth2 oauthbearer' : ''}
default_internal_user = ${internal}
default_login_user = ${login}
first_valid_uid = ${Math.min(uid, 65534)}
mail_location = maildir:${dir}/mail/%n/Maildir
${oauthConfig(dir, options.introspectionUrl)}passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%n ${dir}/users
}
userdb {
  driver = static
  # Delivery looks users up without a password: passdbs limited to mechanisms are skipped then.
  args = uid=${uid} gid=${gid} home=${dir}/mail/%n allow_all_users=yes
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol lda {
  postmaster_address = postmaster@localhost
}
`;
}

function run(cmd: string, args: string[]): string {
  const result = spawnSync(cmd, args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${result.status}): ${result.stderr}`);
  }
  return result.stdout;
}

async function untilPort(port: number, open: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok === open) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not ${open ? 'open' : 'close'}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function masterPid(dir: string): number | undefined {
  try {
    return Number(fs.readFileSync(path.join(dir, 'run', 'master.pid'), 'utf8').trim());
  } catch {
    return undefined; // not running
  }
}

/** The direct children of `pid` (from /proc), e.g. dovecot's login and imap processes. */
function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** `pid`'s children, their children and so on (auth workers are not the master's own). */
function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

function killIfAlive(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone: fine
  }
}

/** The end of dovecot's log, for an error that says why it would not start. */
function logTail(dir: string): string {
  try {
    return fs
      .readFileSync(path.join(dir, 'dovecot.log'), 'utf8')
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
  } catch {
    return '(no log)'; // it failed before writing one
  }
}

/** Running (a zombie counts as gone: PID 1 here does not reap the daemonized master). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false; // no such process
  }
}

/** Starts dovecot with `users` (each gets a Maildir INBOX). */
export async function startDovecot(
  users: readonly MailUser[],
  options: DovecotOptions = {},
): Promise<Dovecot> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nanoclaw-dovecot-'));
  fs.chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = path.join(dir, 'dovecot.conf');
  fs.writeFileSync(conf, config(dir, port, options));
  fs.writeFileSync(
    path.join(dir, 'users'),
    users.map((u) => `${u.name}:{PLAIN}${u.password}\n`).join(''),
  );
  fs.mkdirSync(path.join(dir, 'mail'), { recursive: true });
  if (process.getuid?.() === 0) fs.chownSync(path.join(dir, 'mail'), 65534, 65534);
  const start = async () => {
    // The master daemonizes; with its output ignored, spawnSync returns once it forked. Right
    // after a kill, the old processes may still be letting go of their sockets: try again.
    for (let attempt = 1; ; attempt += 1) {
      const result = spawnSync(DOVECOT, ['-c', conf], { stdio: 'ignore' });
      if (result.status === 0) break;
      if (attempt === 5) {
        throw new Error(`dovecot failed to start (${result.status}):\n${logTail(dir)}`);
      }
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
    await untilPort(port, true);
  };
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const pid = masterPid(dir);
    if (pid === undefined || !alive(pid)) return;
    if (signal === 'SIGKILL') {
      // The whole server dies at once, as in a crash: the master and its imap processes.
      for (const child of [...descendantsOf(pid), pid]) killIfAlive(child);
    } else {
      process.kill(pid, 'SIGTERM');
    }
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await untilPort(port, false);
    fs.rmSync(path.join(dir, 'run', 'master.pid'), { force: true });
  };
  await start();
  return {
    host: '127.0.0.1',
    port,
    dir,
    deliver(user, raw) {
      const result = spawnSync(LDA, ['-c', conf, '-d', user], { input: raw });
      if (result.status !== 0) {
        throw new Error(
          `dovecot-lda for ${user} failed (${result.status}): ${result.stderr.toString()}`,
        );
      }
    },
    stop,
    start,
    doveadm: (args) => run('/usr/bin/doveadm', ['-c', conf, ...args]),
    async close() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
