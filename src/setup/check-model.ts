/**
 * The model check: one real minimal request (max_tokens 1) through the gateway's own model proxy
 * code, exactly the path a sandbox's requests take, so "accepted here" means "accepted in a
 * run". `modelVerdict` (pure) turns the answer into the exact fix: a refused key, an endpoint
 * that does not answer, an unknown model.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { DEFAULT_UPSTREAM, type SecretSource } from '../config.js';
import { errorMessage } from '../errors.js';
import { createCapabilityRegistry } from '../gateway/capabilities.js';
import { createModelProxy } from '../gateway/model-proxy.js';
import { silentLogger } from '../log.js';
import { fail, pass, warn, type CheckResult } from './check.js';

/** A small, cheap model for the probe when NANOCLAW_MODEL is not set. */
export const PROBE_MODEL = 'claude-haiku-4-5';
const TITLE = 'Model credential';

export type CredentialKind = 'api-key' | 'oauth' | 'auth-token' | 'none';

export interface ModelTarget {
  upstreamUrl: string;
  secrets: SecretSource;
  model: string | undefined;
  /** Where the user keeps the settings (named in fixes). */
  envFile: string;
}

export function credentialKind(secrets: SecretSource): CredentialKind {
  if (secrets.get('ANTHROPIC_API_KEY')) return 'api-key';
  if (secrets.get('CLAUDE_CODE_OAUTH_TOKEN')) return 'oauth';
  if (secrets.get('ANTHROPIC_AUTH_TOKEN')) return 'auth-token';
  return 'none';
}

const ErrorBody = z.object({ error: z.object({ type: z.string(), message: z.string() }) });

function refusedFix(kind: CredentialKind, envFile: string, isDefault: boolean): string {
  if (kind === 'api-key') {
    return (
      'The API key is wrong, revoked or of another organization: create one at ' +
      `https://console.anthropic.com/settings/keys and set ANTHROPIC_API_KEY in ${envFile} ` +
      '(or run `nanoclaw setup --change model`).'
    );
  }
  if (kind === 'oauth') {
    return (
      'The subscription token is wrong or expired: run `claude setup-token` again and set the ' +
      `new token as CLAUDE_CODE_OAUTH_TOKEN in ${envFile} (or run \`nanoclaw setup --change model\`).`
    );
  }
  if (kind === 'auth-token')
    return `The endpoint refused ANTHROPIC_AUTH_TOKEN: set the right one in ${envFile}.`;
  return isDefault
    ? `Set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN (from \`claude setup-token\`) in ${envFile}.`
    : `This endpoint wants a credential: set ANTHROPIC_AUTH_TOKEN (or ANTHROPIC_API_KEY) in ${envFile}.`;
}

/** The proxy could not reach the endpoint: its message without the proxy's own advice. */
function unreachable(
  origin: string,
  isDefault: boolean,
  message: string,
  envFile: string,
): CheckResult {
  const fix = isDefault
    ? 'Check this machine reaches https://api.anthropic.com (network, firewall, HTTPS_PROXY), then try again.'
    : `Start the endpoint (Ollama: \`ollama serve\`) or correct ANTHROPIC_BASE_URL in ${envFile}, then try again.`;
  const why = message
    .replace(/^NanoClaw could not reach the model endpoint \S+: /, '')
    .replace(/\. Check ANTHROPIC_BASE_URL.*$/, '');
  return fail('model', TITLE, `${origin} does not answer (${why})`, fix);
}

/** Pure: the verdict on the proxy's answer to the minimal request. */
export function modelVerdict(
  answer: { status: number; body: string },
  target: { upstreamUrl: string; model: string; kind: CredentialKind; envFile: string },
): CheckResult {
  const origin = new URL(target.upstreamUrl).origin;
  const isDefault = origin === new URL(DEFAULT_UPSTREAM).origin;
  const parsed = ErrorBody.safeParse(safeJson(answer.body));
  const message = parsed.success ? parsed.data.error.message : answer.body.slice(0, 200);
  const who = isDefault ? 'Anthropic' : origin;
  const { status } = answer;
  if (status >= 200 && status < 300) {
    const how = {
      'api-key': 'with the API key',
      oauth: 'with the subscription token',
      'auth-token': 'with the bearer token',
      none: 'without a credential',
    }[target.kind];
    return pass('model', TITLE, `${who} answered a minimal request ${how} (model ${target.model})`);
  }
  if (status === 401 || status === 403) {
    return fail(
      'model',
      TITLE,
      `${who} refused it (HTTP ${status}: ${message})`,
      refusedFix(target.kind, target.envFile, isDefault),
    );
  }
  if (status === 502 || status === 504)
    return unreachable(origin, isDefault, message, target.envFile);
  if (status === 404) {
    return fail(
      'model',
      TITLE,
      `${who} does not know the model ${target.model} (HTTP 404: ${message})`,
      `Set NANOCLAW_MODEL in ${target.envFile} to a model the endpoint has (Ollama: \`ollama list\`).`,
    );
  }
  if (status === 429) {
    return warn(
      'model',
      TITLE,
      `${who} accepted the credential but is rate-limiting (${message})`,
      'Wait a little, or check your plan and usage limits.',
    );
  }
  if (status >= 500) {
    return fail(
      'model',
      TITLE,
      `${who} has trouble (HTTP ${status}: ${message})`,
      'Try again later (https://status.anthropic.com for Anthropic).',
    );
  }
  return fail(
    'model',
    TITLE,
    `${who} answered HTTP ${status}: ${message}`,
    'Check the account (billing, credit balance) and NANOCLAW_MODEL.',
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not an error body: the raw text is shown
  }
}

/** Sends the minimal request through a private, loopback-only instance of the model proxy. */
export async function checkModel(target: ModelTarget, signal: AbortSignal): Promise<CheckResult> {
  const capabilities = createCapabilityRegistry();
  const capability = capabilities.issue({
    runId: 'doctor',
    group: { folder: 'main', isMain: true },
  });
  const proxy = createModelProxy({
    upstreamUrl: target.upstreamUrl,
    secrets: target.secrets,
    capabilities,
    log: silentLogger(),
  });
  const server = http.createServer(proxy);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const model = target.model ?? PROBE_MODEL;
  const verdict = {
    upstreamUrl: target.upstreamUrl,
    model,
    kind: credentialKind(target.secrets),
    envFile: target.envFile,
  };
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': capability,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }),
      signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
    });
    return modelVerdict({ status: res.status, body: await res.text() }, verdict);
  } catch (error) {
    return fail(
      'model',
      TITLE,
      `no answer from ${new URL(target.upstreamUrl).origin} (${errorMessage(error)})`,
      'Check ANTHROPIC_BASE_URL and your network, then try again.',
    );
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
