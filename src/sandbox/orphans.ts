/**
 * Finds bubblewrap sandboxes left by an earlier host process of this installation (by the
 * NANOCLAW_INSTANCE marker on their command line) and kills them. With --die-with-parent they
 * normally die with the host; this is the safety net for whatever survived.
 */
import fs from 'node:fs';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Whether a /proc cmdline (NUL-separated) is a bwrap sandbox of this instance. Pure. */
export function isOurSandbox(cmdline: string, instance: string): boolean {
  const argv = cmdline.split('\0');
  if (!argv[0]?.endsWith('bwrap')) return false;
  for (let i = 0; i + 2 < argv.length; i++) {
    if (argv[i] === '--setenv' && argv[i + 1] === 'NANOCLAW_INSTANCE' && argv[i + 2] === instance) {
      return true;
    }
  }
  return false;
}

export function killOrphans(instance: string, log: Logger): number {
  let killed = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch (error) {
      log.debug({ pid: entry, err: errorMessage(error) }, 'process vanished while scanning');
      continue;
    }
    if (!isOurSandbox(cmdline, instance)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed += 1;
    } catch (error) {
      log.warn({ pid: entry, err: errorMessage(error) }, 'could not kill orphan sandbox');
    }
  }
  return killed;
}
