/** Helpers of the attack suite (`test/attacks.test.ts`): the in-sandbox shell prelude and more. */
import fs from 'node:fs';
import path from 'node:path';
import type { CgroupLayout } from '../../src/sandbox/cgroups.js';

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
