/**
 * Egress policy (pure): may a sandbox reach host:port? Decided on the *resolved* addresses, so a
 * DNS name pointing at loopback or a metadata endpoint does not help. `public` (default) allows
 * any public address; `allowlist` only listed domains; `none` nothing. An explicit `host:port`
 * entry may open a private address.
 */
import net from 'node:net';
import { EgressPolicySchema, type EgressPolicy } from '../shared/policies.js';

export const DEFAULT_EGRESS: EgressPolicy = { mode: 'public', allow: [] };
const CLOSED: EgressPolicy = { mode: 'none', allow: [] };

export function parseEgressPolicy(json: string | null): EgressPolicy {
  if (json === null) return DEFAULT_EGRESS;
  try {
    const parsed = EgressPolicySchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : CLOSED;
  } catch {
    return CLOSED; // corrupt JSON column: fail closed
  }
}

/** Ranges a sandbox may never reach unless a host:port is explicitly allowed. */
function nonPublic(): net.BlockList {
  const list = new net.BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [address, prefix] of v4) list.addSubnet(address, prefix, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ];
  for (const [address, prefix] of v6) list.addSubnet(address, prefix, 'ipv6');
  return list;
}

const BLOCKED = nonPublic();

export function isPublicAddress(ip: string): boolean {
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) return isPublicAddress(mapped[1]);
  const family = net.isIPv4(ip) ? 'ipv4' : net.isIPv6(ip) ? 'ipv6' : undefined;
  return family !== undefined && !BLOCKED.check(ip, family);
}

function matchesDomain(host: string, entry: string): boolean {
  const domain = entry.toLowerCase();
  if (domain.startsWith('*.')) return host.endsWith(domain.slice(1));
  return host === domain;
}

/** Entry forms: `example.com`, `*.example.com`, `example.com:443`, `10.0.0.5:8080`. */
function entryMatches(
  entry: string,
  host: string,
  port: number,
): { hit: boolean; exactPort: boolean } {
  const colon = entry.lastIndexOf(':');
  const hasPort = colon > 0 && /^\d+$/.test(entry.slice(colon + 1));
  const entryHost = hasPort ? entry.slice(0, colon) : entry;
  if (hasPort && Number(entry.slice(colon + 1)) !== port) return { hit: false, exactPort: false };
  return { hit: matchesDomain(host, entryHost), exactPort: hasPort };
}

export type EgressDecision = { allow: true; address: string } | { allow: false; reason: string };

/** Decides on the addresses `host` resolved to; the caller then connects to `address` only. */
export function egressDecision(
  policy: EgressPolicy,
  host: string,
  port: number,
  resolved: readonly string[],
): EgressDecision {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (policy.mode === 'none') return { allow: false, reason: 'egress is off for this group' };
  if (resolved.length === 0) return { allow: false, reason: `${name} did not resolve` };
  const entries = policy.allow.map((e) => entryMatches(e, name, port)).filter((m) => m.hit);
  if (policy.mode === 'allowlist' && entries.length === 0) {
    return { allow: false, reason: `${name} is not on this group's egress allowlist` };
  }
  // Every address must be public (so a name cannot mix a public and a private answer), unless
  // this exact host:port was explicitly allowed.
  if (entries.some((m) => m.exactPort)) return { allow: true, address: resolved[0] as string };
  const blocked = resolved.find((ip) => !isPublicAddress(ip));
  if (blocked)
    return { allow: false, reason: `${name} resolves to the non-public address ${blocked}` };
  return { allow: true, address: resolved[0] as string };
}
