/**
 * Every setting, read once at start-up from the environment and `$NANOCLAW_HOME/.env`, validated
 * with zod into a frozen Config. Secrets are NOT part of Config: the gateway reads them fresh on
 * each request through `SecretSource`, so a rotated token works without a restart, and they
 * never sit in an object that gets logged or passed to a sandbox.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import type { SandboxLimits } from './sandbox/spec.js';

const positiveInt = (name: string, fallback: number) =>
  z.coerce
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .positive(`${name} must be greater than 0`)
    .default(fallback);

/** Whether the runtime knows the IANA zone (an unknown one would silently mean UTC). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}

/** Anthropic's API; any other ANTHROPIC_BASE_URL is a custom (maybe keyless) endpoint. */
export const DEFAULT_UPSTREAM = 'https://api.anthropic.com';

const ConfigSchema = z.object({
  NANOCLAW_HOME: z.string().min(1),
  NANOCLAW_RUNTIME: z
    .enum(['auto', 'bwrap', 'docker', 'podman', 'apple'], {
      error: 'NANOCLAW_RUNTIME must be one of auto, bwrap, docker, podman, apple',
    })
    .default('auto'),
  NANOCLAW_IMAGE: z.string().min(1).default('nanoclaw-agent:latest'),
  ANTHROPIC_BASE_URL: z
    .url({ error: 'ANTHROPIC_BASE_URL must be a URL such as http://127.0.0.1:11434' })
    .default(DEFAULT_UPSTREAM),
  NANOCLAW_MODEL: z.string().min(1).optional(),
  MODEL_API: z
    .enum(['anthropic', 'openai'], { error: 'MODEL_API must be anthropic or openai' })
    .default('anthropic'),
  OPENAI_BASE_URL: z
    .url({ error: 'OPENAI_BASE_URL must be a URL such as http://127.0.0.1:11434/v1' })
    .optional(),
  OPENAI_MAX_TOKENS: z.coerce
    .number({ error: 'OPENAI_MAX_TOKENS must be a number' })
    .int('OPENAI_MAX_TOKENS must be a whole number')
    .positive('OPENAI_MAX_TOKENS must be greater than 0')
    .optional(),
  ASSISTANT_NAME: z.string().min(1).max(50).default('Andy'),
  TZ: z
    .string()
    .min(1)
    .refine(isTimeZone, {
      error:
        'TZ is not a time zone: use an IANA name such as Europe/Berlin, America/New_York or UTC',
    })
    .optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  LOG_FORMAT: z
    .enum(['auto', 'json', 'pretty'], { error: 'LOG_FORMAT must be auto, json or pretty' })
    .default('auto'),
  SANDBOX_UID: z.coerce.number().int().min(1, 'SANDBOX_UID must not be 0 (root)').optional(),
  SANDBOX_GID: z.coerce.number().int().min(1, 'SANDBOX_GID must not be 0 (root)').optional(),
  SANDBOX_MEMORY_MB: positiveInt('SANDBOX_MEMORY_MB', 4096),
  SANDBOX_CPUS: z.coerce.number().positive().default(2),
  SANDBOX_PIDS: positiveInt('SANDBOX_PIDS', 512),
  SANDBOX_TMP_MB: positiveInt('SANDBOX_TMP_MB', 512),
  SANDBOX_OUTPUT_MB: positiveInt('SANDBOX_OUTPUT_MB', 64),
  SANDBOX_DISK_MB: positiveInt('SANDBOX_DISK_MB', 2048),
  SANDBOX_DISK_SCAN_ENTRIES: positiveInt('SANDBOX_DISK_SCAN_ENTRIES', 200_000),
  MOUNT_SCAN_MAX_ENTRIES: positiveInt('MOUNT_SCAN_MAX_ENTRIES', 100_000),
  SANDBOX_TIMEOUT_MS: positiveInt('SANDBOX_TIMEOUT_MS', 30 * 60_000),
  MAX_CONCURRENT_SANDBOXES: positiveInt('MAX_CONCURRENT_SANDBOXES', 5),
  MAX_SANDBOXES_PER_GROUP: positiveInt('MAX_SANDBOXES_PER_GROUP', 2),
  MAX_WORKERS_PER_GROUP: positiveInt('MAX_WORKERS_PER_GROUP', 3),
  IDLE_TIMEOUT_MS: positiveInt('IDLE_TIMEOUT_MS', 5 * 60_000),
  ATTACHMENT_MAX_MB: positiveInt('ATTACHMENT_MAX_MB', 20),
  WEB_HOST: z.string().min(1).default('127.0.0.1'),
  WEB_PORT: z.coerce.number().int().min(0).max(65535).default(4480),
  WEB_TOKEN: z.string().min(16, 'WEB_TOKEN must be at least 16 characters').optional(),
  NANOCLAW_MOUNT_ALLOWLIST: z.string().min(1).optional(),
  OWNER_SENDER_IDS: z.string().optional(),
});

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export interface Config {
  home: string;
  runtime: 'auto' | 'bwrap' | 'docker' | 'podman' | 'apple';
  image: string;
  upstreamUrl: string;
  /** `openai`: model requests are translated to an OpenAI-compatible endpoint (docs/MODELS.md). */
  modelApi: 'anthropic' | 'openai';
  /** With `modelApi: 'openai'`: where `/chat/completions` is, and an optional max_tokens cap. */
  openai: { baseUrl: string; maxTokens: number | undefined } | undefined;
  model: string | undefined;
  assistantName: string;
  timezone: string;
  logLevel: string;
  /** `auto`: readable lines on a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  sandboxUser: { uid: number; gid: number };
  limits: SandboxLimits;
  /** Sandboxes of all kinds alive at once, and of one group (see src/runs/limiter-policy.ts). */
  maxConcurrentSandboxes: number;
  maxSandboxesPerGroup: number;
  /** Workers (`delegate`) of one group alive at once; more wait for one to end. */
  maxWorkersPerGroup: number;
  idleTimeoutMs: number;
  /** Largest file saved from a chat into a group's inbox, or sent with `send_file`. */
  attachmentMaxBytes: number;
  /** Sender ids that are the owner (the local web chat's user always is). */
  ownerIds: readonly string[];
  /** The mount allowlist file: outside the project and the data directory, never mounted. */
  mountAllowlist: string;
  /** Entries the cover scan of one mount may walk; a mount with more is refused. */
  mountScanEntries: number;
  /** The built-in web chat. `token` is required when `host` is not loopback. */
  web: { host: string; port: number; token: string | undefined };
  /** Root of the installed NanoClaw (holds dist/ and node_modules/ mounted into sandboxes). */
  appRoot: string;
  paths: {
    db: string;
    groups: string;
    sessions: string;
    run: string;
    /** The host's rotated log file lives here (`nanoclaw.log`). */
    logs: string;
    env: string;
  };
}

/** The limits every sandbox gets (the host enforces those a runtime cannot). */
function sandboxLimits(c: z.infer<typeof ConfigSchema>): SandboxLimits {
  return {
    memoryMb: c.SANDBOX_MEMORY_MB,
    cpus: c.SANDBOX_CPUS,
    pids: c.SANDBOX_PIDS,
    tmpMb: c.SANDBOX_TMP_MB,
    outputMb: c.SANDBOX_OUTPUT_MB,
    diskMb: c.SANDBOX_DISK_MB,
    diskScanEntries: c.SANDBOX_DISK_SCAN_ENTRIES,
    timeoutMs: c.SANDBOX_TIMEOUT_MS,
  };
}

/** Keys that are secrets: never in Config, never in a sandbox, read fresh by the gateway. */
export const SECRET_KEYS = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'ANTHROPIC_AUTH_TOKEN',
  'OPENAI_API_KEY',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * Parses a dotenv file: KEY=VALUE lines, `#` comments, optional `export `, one pair of matching
 * quotes stripped. A missing file is an empty result.
 */
export function parseDotenv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    let value = line.slice(eq + 1).trim();
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[2] ?? '';
    if (value) out[key] = value;
  }
  return out;
}

export function readDotenv(file: string): Record<string, string> {
  try {
    return parseDotenv(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`, {}, { cause: error });
  }
}

/** `~/.nanoclaw`; as root `/var/lib/nanoclaw`, which the unprivileged sandbox uid can reach. */
export function defaultHome(env: NodeJS.ProcessEnv): string {
  if (env.NANOCLAW_HOME) return env.NANOCLAW_HOME;
  if (process.getuid?.() === 0) return '/var/lib/nanoclaw';
  return path.join(os.homedir(), '.nanoclaw');
}

/** Builds the Config; throws ConfigError naming every bad setting and how to fix it. */
export function loadConfig(env: NodeJS.ProcessEnv, appRoot: string): Config {
  const home = path.resolve(defaultHome(env));
  const fromFile = readDotenv(path.join(home, '.env'));
  const merged = { ...fromFile, ...definedOnly(env), NANOCLAW_HOME: home };
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(
      `Invalid settings (environment or ${path.join(home, '.env')}):\n${lines.join('\n')}`,
    );
  }
  const c = parsed.data;
  if (!LOOPBACK_HOSTS.has(c.WEB_HOST) && !c.WEB_TOKEN) {
    throw new ConfigError(
      `WEB_HOST=${c.WEB_HOST} exposes the web chat beyond this machine, so it needs an access ` +
        `token: set WEB_TOKEN to a random string of 16+ characters (e.g. \`openssl rand -hex 24\`), ` +
        `or use WEB_HOST=127.0.0.1.`,
    );
  }
  return Object.freeze({
    home,
    runtime: c.NANOCLAW_RUNTIME,
    image: c.NANOCLAW_IMAGE,
    upstreamUrl: c.ANTHROPIC_BASE_URL,
    modelApi: c.MODEL_API,
    openai: openaiUpstream(c),
    model: c.NANOCLAW_MODEL,
    assistantName: c.ASSISTANT_NAME,
    timezone: c.TZ ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    logLevel: c.LOG_LEVEL,
    logFormat: c.LOG_FORMAT,
    sandboxUser: sandboxUser(c),
    limits: sandboxLimits(c),
    maxConcurrentSandboxes: c.MAX_CONCURRENT_SANDBOXES,
    maxSandboxesPerGroup: c.MAX_SANDBOXES_PER_GROUP,
    maxWorkersPerGroup: c.MAX_WORKERS_PER_GROUP,
    idleTimeoutMs: c.IDLE_TIMEOUT_MS,
    attachmentMaxBytes: c.ATTACHMENT_MAX_MB * 1024 * 1024,
    web: { host: c.WEB_HOST, port: c.WEB_PORT, token: c.WEB_TOKEN },
    ownerIds: ownerIds(c.OWNER_SENDER_IDS),
    mountAllowlist: allowlistPath(c.NANOCLAW_MOUNT_ALLOWLIST, home, appRoot),
    mountScanEntries: c.MOUNT_SCAN_MAX_ENTRIES,
    appRoot,
    paths: dataPaths(home),
  });
}

/** MODEL_API=openai needs the endpoint and a model (the SDK's default is a Claude model). */
function openaiUpstream(c: z.infer<typeof ConfigSchema>): Config['openai'] {
  if (c.MODEL_API !== 'openai') return undefined;
  if (!c.OPENAI_BASE_URL || !c.NANOCLAW_MODEL) {
    throw new ConfigError(
      'MODEL_API=openai needs OPENAI_BASE_URL (the endpoint, e.g. http://127.0.0.1:11434/v1 for ' +
        'Ollama) and NANOCLAW_MODEL (the model it serves, e.g. qwen3-coder); set both in the ' +
        'environment or .env. OPENAI_API_KEY is needed only if the endpoint asks for a key.',
    );
  }
  return { baseUrl: c.OPENAI_BASE_URL, maxTokens: c.OPENAI_MAX_TOKENS };
}

function dataPaths(home: string): Config['paths'] {
  return {
    db: path.join(home, 'nanoclaw.db'),
    groups: path.join(home, 'groups'),
    sessions: path.join(home, 'sessions'),
    run: path.join(home, 'run'),
    logs: path.join(home, 'logs'),
    env: path.join(home, '.env'),
  };
}

/** The local web chat's user, then the ids listed in OWNER_SENDER_IDS. */
function ownerIds(listed: string | undefined): string[] {
  const ids = (listed ?? '').split(',').map((s) => s.trim());
  return ['web-user', ...ids.filter(Boolean)];
}

/** As root, sandboxes run as an unprivileged host uid (never root: see SECURITY.md). */
function sandboxUser(c: { SANDBOX_UID?: number; SANDBOX_GID?: number }) {
  const isRoot = process.getuid?.() === 0;
  return {
    uid: c.SANDBOX_UID ?? (isRoot ? 1000 : (process.getuid?.() ?? 1000)),
    gid: c.SANDBOX_GID ?? (isRoot ? 1000 : (process.getgid?.() ?? 1000)),
  };
}

function allowlistPath(configured: string | undefined, home: string, appRoot: string): string {
  const file = path.resolve(
    configured ?? path.join(os.homedir(), '.config', 'nanoclaw', 'mount-allowlist.json'),
  );
  for (const forbidden of [home, appRoot]) {
    if (file.startsWith(`${path.resolve(forbidden)}${path.sep}`)) {
      throw new ConfigError(
        `The mount allowlist ${file} lies inside ${forbidden}, which sandboxes may see. Keep it ` +
          'outside the data directory and the project (default ~/.config/nanoclaw/mount-allowlist.json).',
      );
    }
  }
  return file;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** Reads secrets fresh on every call: process env first, then `$NANOCLAW_HOME/.env`. */
export interface SecretSource {
  get(key: SecretKey): string | undefined;
}

export function secretSource(env: NodeJS.ProcessEnv, envFile: string): SecretSource {
  return {
    get(key) {
      return env[key] || readDotenv(envFile)[key] || undefined;
    },
  };
}
