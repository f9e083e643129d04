/**
 * What every channel skill's token attack test shares. The agent is sent a shell script that
 * assembles each secret from parts (so the secret never appears in the message the agent sees),
 * runs each attempt through `t` (BREACH when it succeeds, BLOCKED when not) and replies with the
 * verdicts. A control marker planted in the group folder proves the same search finds what is
 * really there (a search that can find nothing would prove nothing).
 */
import fs from 'node:fs';
import path from 'node:path';

/** Shell: `$v` set to `parts` joined with '-' at run time. */
export const assemble = (v: string, parts: readonly string[]): string =>
  `${v}=${parts[0]}; for p in ${parts.slice(1).join(' ')}; do ${v}="$${v}-$p"; done`;

/** Shell: `t NAME COMMAND…` prints `BREACH NAME` if the command succeeds, else `BLOCKED NAME`. */
export const TRY = `t() { n=$1; shift; if "$@" >/dev/null 2>&1; then echo "BREACH $n"; else echo "BLOCKED $n"; fi; }`;

/** The control marker's parts (`C`), its search (which must say BREACH), and `t` itself. */
export const controlAttempts = (control: readonly string[]): string[] => [
  assemble('C', control),
  TRY,
  `t control-found grep -rqs -- "$C" /home /tmp /workspace /opt /etc /run`,
];

/** Searches every process's environment for `$v` (attempt `<name>-in-environ`). */
export const inEnviron = (name: string, v: string): string =>
  `t ${name}-in-environ sh -c 'cat /proc/[0-9]*/environ | grep -qa -- "'"$${v}"'"'`;

/** Searches every file a sandbox can read for `$v` (attempt `<name>-in-files`). */
export const inFiles = (name: string, v: string): string =>
  `t ${name}-in-files grep -rqs -- "$${v}" /home /tmp /workspace /opt /etc /run`;

/** Writes the control marker into `group`'s folder under `home` (readable by the sandbox). */
export function plantControl(home: string, control: readonly string[], group = 'family'): void {
  const folder = path.join(home, 'groups', group);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'control.txt'), `${control.join('-')}\n`, { mode: 0o644 });
}

/** The `BLOCKED name` / `BREACH name` lines of a reply, in order. */
export const verdictsOf = (text: string): string[] =>
  [...text.matchAll(/(BLOCKED|BREACH) ([\w-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
