/**
 * The attack suite's shared setup (`test/attacks-*.test.ts`): a temp data directory with secrets
 * in its `.env`, the fake model, a host service on loopback, the allowlist, the main and family
 * groups, and `attack()`, which runs a script through the agent's Bash tool and counts the
 * BLOCKED/BREACH lines it prints. Each test file starts its own suite: nothing is shared between
 * files that vitest runs in parallel (own home, own ports, own sandbox limiter).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, tempHome, type CliResult } from './cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';
import { openDb } from '../../src/store/db.js';
import { MessageStore } from '../../src/store/messages.js';
import type { CgroupLayout } from '../../src/sandbox/cgroups.js';

export const SECRET = ['sk', 'attack', 'suite', 'Qz7'].join('-');
export const TOKEN = ['123456', 'channel', 'token', 'Zx9'].join(':');
/** The OpenAI-compatible endpoint's key: held to the same rules as the Anthropic one. */
export const OPENAI_SECRET = ['sk', 'openai', 'suite', 'Kp4'].join('-');
/** Content of files that must stay hidden by name. */
export const MARKER = 'HIDDEN-BY-NAME-7731';

/** Folders (under the mount's `moves/`) holding a secret by name, for the cover evasions. */
export const EVASIONS = {
  deep: '.ssh/id_rsa',
  nm: '.env',
  git: 'credentials',
  late: '.env',
};

export function chownTree(dir: string, uid: number): void {
  if (process.getuid?.() !== 0) return;
  fs.chownSync(dir, uid, uid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) chownTree(path.join(dir, entry.name), uid);
  }
}

/** A shell helper: run a command; success means the attack worked. */
export const PRELUDE = `t() { n=$1; shift; if "$@" >/dev/null 2>&1; then echo "BREACH $n"; else echo "BLOCKED $n"; fi; }
api() { curl -s -o /dev/null -w '%{http_code}' -X POST -H "authorization: Bearer $ANTHROPIC_API_KEY" -H 'content-type: application/json' -d "$2" "$NANOCLAW_HOST_URL/api/$1"; }
refused() { c=$(api "$2" "$3"); if [ "$c" = 200 ]; then echo "BREACH $1"; else echo "BLOCKED $1"; fi; }
px() { curl -sf --max-time 5 --noproxy '' -x "$HTTP_PROXY" "$@"; }`;

export interface AttackSuite {
  fake: FakeAnthropic;
  home: string;
  /** Outside the data dir: the allowlist and its root `projects/`. */
  outside: string;
  env: Record<string, string>;
  /** A host service on loopback that no sandbox may reach. */
  port: number;
  /** Attacks tried and those blocked, by name: equal at the end. */
  tried: string[];
  blocked: string[];
  /** Runs `script` (after the prelude) through the group's agent, counting what it prints. */
  attack(group: string, script: string, extraEnv?: Record<string, string>): Promise<CliResult>;
  close(): Promise<void>;
}

export async function startAttackSuite(prefix: string): Promise<AttackSuite> {
  const fake = await startFakeAnthropic();
  const home = tempHome(`nanoclaw-attacks-${prefix}-`);
  // The model keys and a channel token: no secret of the host's .env may reach a sandbox.
  fs.writeFileSync(
    path.join(home, '.env'),
    `ANTHROPIC_API_KEY=${SECRET}\nOPENAI_API_KEY=${OPENAI_SECRET}\nTELEGRAM_BOT_TOKEN=${TOKEN}\n`,
  );
  const server = http.createServer((_q, r) => r.end('host service'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const outside = tempHome(`nanoclaw-attacks-${prefix}-outside-`);
  fs.mkdirSync(path.join(outside, 'projects'), { mode: 0o755 });
  fs.chmodSync(path.join(outside, 'projects'), 0o755);
  const allowlist = path.join(outside, 'mount-allowlist.json');
  const roots = [{ path: path.join(outside, 'projects'), allowReadWrite: true }];
  fs.writeFileSync(allowlist, JSON.stringify({ allowedRoots: roots }));
  const env = {
    NANOCLAW_HOME: home,
    NANOCLAW_RUNTIME: 'bwrap',
    NANOCLAW_MOUNT_ALLOWLIST: allowlist,
    ANTHROPIC_BASE_URL: fake.url,
    SANDBOX_TMP_MB: '16',
  };
  const tried: string[] = [];
  const blocked: string[] = [];
  const attack = async (group: string, script: string, extraEnv: Record<string, string> = {}) => {
    // The fake model takes the one line after RUN: as the Bash command.
    const command = `${PRELUDE}\n${script}`
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join('; ');
    const result = await runCli(
      ['run', '--group', group, `RUN: ${command}`],
      { ...env, ...extraEnv },
      { timeoutMs: 120_000 },
    );
    for (const m of result.stdout.matchAll(/(BLOCKED|BREACH) ([\w-]+)/g)) {
      tried.push(m[2] as string);
      if (m[1] === 'BLOCKED') blocked.push(m[2] as string);
    }
    return result;
  };
  await runCli(['run', 'hello'], env); // creates main
  await runCli(['groups', 'add', 'family', '--no-trigger'], env);
  const close = async () => {
    server.close();
    await fake.close();
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  };
  return { fake, home, outside, env, port, tried, blocked, attack, close };
}

/**
 * Plants secrets for the file attacks: an allowlisted folder `projects/shared` (mounted read-write
 * for main) holding secrets by name and symlinks out, and the project's own env file at
 * `projectEnv` (main sees the project read-only; the caller removes it).
 */
export async function plantSecrets(suite: AttackSuite, projectEnv: string): Promise<void> {
  const { home, outside, env } = suite;
  const shared = path.join(outside, 'projects', 'shared');
  fs.mkdirSync(path.join(shared, 'sub', '.ssh'), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(shared, '.env'), `${MARKER}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(shared, 'sub', '.ssh', 'id_rsa'), `${MARKER}\n`, { mode: 0o644 });
  fs.writeFileSync(path.join(shared, 'readme.txt'), 'visible\n', { mode: 0o644 });
  // Secrets by name in folders the agent may move (owned by the sandbox uid): cover evasions.
  for (const [dir, secret] of Object.entries(EVASIONS)) {
    fs.mkdirSync(path.join(shared, 'moves', dir, path.dirname(secret)), { recursive: true });
    fs.writeFileSync(path.join(shared, 'moves', dir, secret), `${MARKER}\n`, { mode: 0o644 });
  }
  chownTree(path.join(shared, 'moves'), 1000);
  // A symlink inside the allowlisted folder pointing at the host .env; and one to an .aws folder.
  fs.symlinkSync(path.join(home, '.env'), path.join(shared, 'host-env'));
  fs.mkdirSync(path.join(outside, '.aws'));
  fs.symlinkSync(path.join(outside, '.aws'), path.join(outside, 'projects', 'aws-link'));
  fs.writeFileSync(projectEnv, `${MARKER}\n`, { mode: 0o644 });
  const added = await runCli(['mounts', 'add', shared, '--group', 'main', '--rw'], env);
  expect(added.code).toBe(0);
}

/**
 * Puts a message into a chat's stored history, straight into the suite's database (no host is
 * running between attacks): what another group's search must not find.
 */
export function plantHistory(suite: AttackSuite, chatId: string, id: string, text: string): void {
  const db = openDb(path.join(suite.home, 'nanoclaw.db'));
  try {
    const messages = new MessageStore(db);
    messages.upsertChat(chatId, 'web', chatId);
    messages.insert({
      chatId,
      id,
      ts: Date.now(),
      senderId: 'owner',
      senderName: 'Owner',
      content: text,
      fromAssistant: false,
    });
  } finally {
    db.close();
  }
}

export interface AuditRecord {
  kind: string;
  decision: string;
  group: string | null;
}

export async function auditRecords(env: Record<string, string>): Promise<AuditRecord[]> {
  const audit = await runCli(['audit', '--json', '--limit', '500'], env);
  return audit.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as AuditRecord);
}

/** Host API calls refused (not allowed), of one group or of all. */
export function refusals(records: readonly AuditRecord[], group?: string): AuditRecord[] {
  return records.filter(
    (r) => r.kind === 'host_api' && r.decision !== 'allowed' && (!group || r.group === group),
  );
}

/** Prints the theme's count, then: at least `min` attacks tried, and every one blocked. */
export function expectAllBlocked(suite: AttackSuite, theme: string, min: number): void {
  const { tried, blocked } = suite;
  console.log(`attack suite (${theme}): ${tried.length} attacks tried, ${blocked.length} blocked`);
  expect(tried.length).toBeGreaterThanOrEqual(min);
  expect(blocked).toEqual(tried);
}

export async function until<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pids cgroup of the family group's sandbox once it has refused a fork. */
export function bombCgroup(layout: CgroupLayout, instance: string): string | undefined {
  const dir = path.join(layout.version === 1 ? layout.pids : layout.root, 'nanoclaw', instance);
  if (!fs.existsSync(dir)) return undefined;
  for (const leaf of fs.readdirSync(dir).filter((n) => n.startsWith('nanoclaw-family-'))) {
    const events = fs.readFileSync(path.join(dir, leaf, 'pids.events'), 'utf8');
    if (Number(/max (\d+)/.exec(events)?.[1] ?? 0) > 0) return path.join(dir, leaf);
  }
  return undefined;
}
