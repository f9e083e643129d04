/**
 * The environment of the SDK's CLI, built from scratch (pure). `options.env` replaces the CLI's
 * environment, so this list is everything the agent's tools can see: nothing from the runner's
 * own environment passes unless it is named here, and no real credential is among them.
 */
import type { StartMessage } from '../shared/protocol.js';

/**
 * `baseUrl` is the forwarder (the gateway as seen from here); the capability is the placeholder
 * model key and the egress proxy password. `isRoot`: the CLI refuses bypassPermissions as root
 * unless told it is sandboxed (tests on the host run as root).
 */
export function cliEnv(
  start: StartMessage,
  baseUrl: string,
  own: NodeJS.ProcessEnv,
  isRoot: boolean,
): Record<string, string> {
  const tmp = own.TMPDIR ?? '/tmp';
  const env: Record<string, string> = {
    PATH: own.PATH ?? '/usr/bin:/bin',
    HOME: own.HOME ?? '/home/agent',
    TMPDIR: tmp,
    // The CLI's own scratch (task output, shell cwd tracking) stays in the run's temp dir.
    CLAUDE_CODE_TMPDIR: tmp,
    LANG: own.LANG ?? 'C.UTF-8',
    TZ: start.timezone,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: start.capability,
    NANOCLAW_HOST_URL: baseUrl,
    // All other traffic leaves through the gateway's egress proxy, under the group's policy.
    ...proxyEnv(`http://nanoclaw:${start.capability}@127.0.0.1:${new URL(baseUrl).port}`),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    // Background agents live until they are done: the CLI (and the SDK) would otherwise end
    // them 600 s after the lead's turn. The host's hard timeout for the run still bounds them.
    CLAUDE_CODE_PRINT_BG_WAIT_CEILING_MS: '0',
    // A `delegate` call lasts as long as its workers; the run's hard timeout bounds it, not
    // the CLI's per-call MCP limit (each host call keeps its own timeout in host-client.ts).
    MCP_TOOL_TIMEOUT: String(24 * 60 * 60_000),
  };
  for (const key of ['CLAUDE_CONFIG_DIR', 'CLAUDE_CODE_MAX_RETRIES', 'NANOCLAW_SANDBOX'] as const) {
    const value = own[key];
    if (value) env[key] = value;
  }
  if (isRoot) env.IS_SANDBOX = '1';
  return env;
}

function proxyEnv(proxy: string): Record<string, string> {
  const noProxy = '127.0.0.1,localhost,::1';
  return {
    HTTP_PROXY: proxy,
    HTTPS_PROXY: proxy,
    http_proxy: proxy,
    https_proxy: proxy,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}
