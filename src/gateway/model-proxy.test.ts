import { describe, expect, it } from 'vitest';
import { credentialHeaders, modelRoute, upstreamHeaders } from './model-proxy.js';

const secrets = (values: Record<string, string>) => ({ get: (k: string) => values[k] });

describe('modelRoute: only model API paths, no tricks', () => {
  it.each([
    ['POST', '/v1/messages?beta=true', { path: '/v1/messages', query: '?beta=true' }],
    ['POST', '/v1/messages/count_tokens', { path: '/v1/messages/count_tokens', query: '' }],
    ['GET', '/v1/models', { path: '/v1/models', query: '' }],
    ['GET', '/v1/models/claude-opus-5-5', { path: '/v1/models/claude-opus-5-5', query: '' }],
  ])('%s %s is forwarded', (method, url, expected) => {
    expect(modelRoute(method, url)).toEqual(expected);
  });

  it.each([
    ['GET', '/v1/messages'],
    ['POST', '/v1/complete'],
    ['POST', 'http://evil.example/v1/messages'],
    ['POST', '//evil.example/v1/messages'],
    ['POST', '/v1/../admin'],
    ['POST', '/v1/messages/../../admin'],
    ['POST', '/v1/messages/..%2f..%2fadmin'],
    ['POST', '/v1/%6dessages'],
    ['POST', '/v1//messages'],
    ['POST', '/v1/messages\\..\\x'],
    ['GET', '/v1/models/../../etc/passwd'],
    ['DELETE', '/v1/models'],
    ['POST', '/api/send_message'],
    ['GET', '/v1/models/..'],
    ['POST', '/v1/messages?beta=true#frag'],
    ['POST', '/v1/messages?a=b c'],
  ])('%s %s is refused', (method, url) => {
    expect(modelRoute(method, url)).toBeUndefined();
  });
});

describe('credentialHeaders', () => {
  it('prefers the API key', () => {
    expect(
      credentialHeaders(
        secrets({ ANTHROPIC_API_KEY: 'k', CLAUDE_CODE_OAUTH_TOKEN: 'o' }),
        true,
        undefined,
      ),
    ).toEqual({
      headers: { 'x-api-key': 'k' },
    });
  });
  it('sends the OAuth token as Bearer with the OAuth beta appended', () => {
    expect(credentialHeaders(secrets({ CLAUDE_CODE_OAUTH_TOKEN: 'o' }), true, 'a,b')).toEqual({
      headers: { authorization: 'Bearer o', 'anthropic-beta': 'a,b,oauth-2025-04-20' },
    });
  });
  it('does not repeat the OAuth beta the client already sent', () => {
    const result = credentialHeaders(
      secrets({ CLAUDE_CODE_OAUTH_TOKEN: 'o' }),
      true,
      'oauth-2025-04-20, a',
    );
    expect(result).toEqual({
      headers: { authorization: 'Bearer o', 'anthropic-beta': 'a,oauth-2025-04-20' },
    });
  });
  it('sends ANTHROPIC_AUTH_TOKEN as Bearer', () => {
    expect(credentialHeaders(secrets({ ANTHROPIC_AUTH_TOKEN: 't' }), true, undefined)).toEqual({
      headers: { authorization: 'Bearer t' },
    });
  });
  it('needs nothing for a custom endpoint, but names the settings for Anthropic', () => {
    expect(credentialHeaders(secrets({}), false, undefined)).toEqual({ headers: {} });
    const missing = credentialHeaders(secrets({}), true, undefined);
    expect('error' in missing && missing.error).toMatch(
      /ANTHROPIC_API_KEY.*CLAUDE_CODE_OAUTH_TOKEN/,
    );
  });
});

describe('upstreamHeaders', () => {
  it('keeps API headers, drops the placeholder, hop-by-hop, cookies, proxy and NanoClaw ones', () => {
    const out = upstreamHeaders(
      {
        host: 'evil.example',
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        'content-length': '12',
        'content-type': 'application/json',
        'anthropic-beta': 'a,b',
        'anthropic-version': '2023-06-01',
        'x-api-key': 'capability',
        authorization: 'Bearer capability',
        cookie: 'c=1',
        'proxy-authorization': 'Basic x',
        'x-nanoclaw-group': 'main',
        'x-stainless-timeout': '600',
        expect: '100-continue',
      },
      { 'x-api-key': 'sk-real' },
      'api.example:443',
    );
    expect(out).toEqual({
      'content-length': '12',
      'content-type': 'application/json',
      'anthropic-beta': 'a,b',
      'anthropic-version': '2023-06-01',
      'x-stainless-timeout': '600',
      'x-api-key': 'sk-real',
      host: 'api.example:443',
    });
  });
});
