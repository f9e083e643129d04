import { describe, expect, it } from 'vitest';
import { credentialHeaders, modelRoute } from './model-proxy.js';

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
