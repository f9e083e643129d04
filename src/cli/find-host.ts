/**
 * Where the host of *this* data directory listens: read from the record it keeps in
 * `$NANOCLAW_HOME/host.json` while it holds the data directory's lock (src/host-lock.ts), never
 * guessed from WEB_PORT, which another installation may be using.
 */
import { findHost } from '../host-lock.js';
import { hostUrl } from './chat-api.js';

export type HostAddress = { ok: true; url: string; pid: number } | { ok: false; problem: string };

export function findHostAddress(home: string): HostAddress {
  const state = findHost(home);
  if (!state.running) {
    return {
      ok: false,
      problem: `NanoClaw is not running for ${home} (NANOCLAW_HOME) — start it with \`npm start\`.`,
    };
  }
  const record = state.record;
  if (!record?.url) {
    const who = record ? `process ${record.pid}` : 'a host';
    return {
      ok: false,
      problem: `NanoClaw (${who}) holds ${home} but has no web chat address yet — wait until it has started, then try again.`,
    };
  }
  // A wildcard listen address (0.0.0.0, ::) is reached on loopback.
  const listen = new URL(record.url);
  const url = hostUrl(listen.hostname.replace(/^\[(.*)\]$/, '$1'), Number(listen.port));
  return { ok: true, url, pid: record.pid };
}
