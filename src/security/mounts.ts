/**
 * The mount allowlist: which host directories a group's sandbox may get as extra mounts.
 * The allowlist file lives outside the project and the data directory and is never mounted.
 * Every requested path is resolved with realpath (symlinks followed) before any check; the
 * decision itself (`decideMount`) is pure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

/** Always blocked, whatever the file says. A path component equal to one (or to one plus an extension) is refused. */
export const DEFAULT_BLOCKED = [
  '.ssh',
  '.gnupg',
  '.gpg',
  '.aws',
  '.azure',
  '.gcloud',
  '.kube',
  '.docker',
  'credentials',
  '.env',
  '.netrc',
  '.npmrc',
  '.pypirc',
  'id_rsa',
  'id_ed25519',
  'private_key',
  '.secret',
] as const;

const AllowlistSchema = z
  .object({
    allowedRoots: z.array(
      z.object({
        path: z.string().min(1),
        allowReadWrite: z.boolean().default(false),
        description: z.string().optional(),
      }),
    ),
    blockedPatterns: z.array(z.string().min(1)).default([]),
    nonMainReadOnly: z.boolean().default(true),
  })
  .strict();

export interface Allowlist {
  roots: { path: string; allowReadWrite: boolean }[];
  blocked: string[];
  nonMainReadOnly: boolean;
}

export type AllowlistResult = { ok: true; allowlist: Allowlist } | { ok: false; problem: string };

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

/** Reads the allowlist fresh (edits apply without a restart). Missing or invalid → no extra mounts. */
export function loadAllowlist(file: string): AllowlistResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {
      ok: false,
      problem: `No mount allowlist at ${file}, so no extra mounts are allowed. Create it to allow some (see docs/SECURITY.md).`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      problem: `The mount allowlist ${file} is not valid JSON (${(error as Error).message}); no extra mounts are allowed until it is fixed.`,
    };
  }
  const parsed = AllowlistSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `The mount allowlist ${file} is invalid at ${issue?.path.join('.') || 'top level'}: ${issue?.message}; no extra mounts are allowed until it is fixed.`,
    };
  }
  const roots: Allowlist['roots'] = [];
  for (const root of parsed.data.allowedRoots) {
    // A root that does not exist (yet) allows nothing; it is not an error.
    const real = realpathOrUndefined(expandHome(root.path));
    if (real) roots.push({ path: real, allowReadWrite: root.allowReadWrite });
  }
  return {
    ok: true,
    allowlist: {
      roots,
      blocked: [...new Set([...DEFAULT_BLOCKED, ...parsed.data.blockedPatterns])],
      nonMainReadOnly: parsed.data.nonMainReadOnly,
    },
  };
}

export function realpathOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined; // missing or unreadable: the caller reports it
  }
}

export interface MountRequest {
  /** As the user wrote it; resolved here. */
  hostPath: string;
  /** Name under /workspace/extra/. */
  name: string;
  readWrite: boolean;
}

export type MountDecision =
  | { allowed: true; hostPath: string; name: string; mode: 'ro' | 'rw'; note?: string }
  | { allowed: false; reason: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Pure: the blocked pattern a path component matches (equal, or equal plus an extension). */
export function matchesBlocked(component: string, blocked: readonly string[]): string | undefined {
  return blocked.find((pattern) => component === pattern || component.startsWith(`${pattern}.`));
}

/**
 * Pure: given the resolved host path (undefined if it does not exist), may it be mounted, and
 * how? What is wrong with the path is said before what is wrong with the name.
 */
export function decideMount(
  request: MountRequest,
  resolved: string | undefined,
  allowlist: Allowlist,
  isMain: boolean,
): MountDecision {
  if (!resolved) return { allowed: false, reason: `${request.hostPath} does not exist.` };
  const components = resolved.split(path.sep).filter(Boolean);
  const hit = components.map((c) => matchesBlocked(c, allowlist.blocked)).find(Boolean);
  if (hit) return { allowed: false, reason: `${resolved} matches the blocked pattern "${hit}".` };
  const root = allowlist.roots.find(
    (r) => resolved === r.path || resolved.startsWith(`${r.path}${path.sep}`),
  );
  if (!root) {
    return {
      allowed: false,
      reason: `${resolved} is not inside an allowed root (${allowlist.roots.map((r) => r.path).join(', ') || 'none configured'}).`,
    };
  }
  if (
    !request.name ||
    request.name.includes('/') ||
    request.name.includes('..') ||
    !NAME.test(request.name)
  ) {
    return {
      allowed: false,
      reason: `Mount name "${request.name}" must be one relative path segment (letters, digits, . _ -), no "/" or "..".`,
    };
  }
  if (!request.readWrite)
    return { allowed: true, hostPath: resolved, name: request.name, mode: 'ro' };
  if (!root.allowReadWrite) {
    return {
      allowed: true,
      hostPath: resolved,
      name: request.name,
      mode: 'ro',
      note: `read-only: the root ${root.path} does not allow writing`,
    };
  }
  if (!isMain && allowlist.nonMainReadOnly) {
    return {
      allowed: true,
      hostPath: resolved,
      name: request.name,
      mode: 'ro',
      note: 'read-only: nonMainReadOnly is set for non-main groups',
    };
  }
  return { allowed: true, hostPath: resolved, name: request.name, mode: 'rw' };
}

/** The real path a mount request names (`~` expanded, symlinks followed), if it exists. */
export function resolveMountPath(hostPath: string): string | undefined {
  return realpathOrUndefined(expandHome(hostPath));
}

/** Resolves and decides one request against the allowlist file (read fresh). */
export function checkMount(file: string, request: MountRequest, isMain: boolean): MountDecision {
  const loaded = loadAllowlist(file);
  if (!loaded.ok) return { allowed: false, reason: loaded.problem };
  return decideMount(request, resolveMountPath(request.hostPath), loaded.allowlist, isMain);
}
