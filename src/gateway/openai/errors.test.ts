import { describe, expect, it } from 'vitest';
import { errorType, translateError } from './errors.js';

describe('OpenAI-compatible errors → Anthropic errors', () => {
  it('maps statuses to Anthropic error types', () => {
    expect(errorType(400)).toBe('invalid_request_error');
    expect(errorType(401)).toBe('authentication_error');
    expect(errorType(403)).toBe('permission_error');
    expect(errorType(404)).toBe('not_found_error');
    expect(errorType(413)).toBe('request_too_large');
    expect(errorType(422)).toBe('invalid_request_error');
    expect(errorType(429)).toBe('rate_limit_error');
    expect(errorType(500)).toBe('api_error');
    expect(errorType(502)).toBe('api_error');
    expect(errorType(503)).toBe('overloaded_error');
  });

  it('reads the message from each server family and says what to check', () => {
    const openai = translateError(
      401,
      '{"error":{"message":"Incorrect API key","type":"invalid_request_error"}}',
    );
    expect(openai).toEqual({
      status: 401,
      type: 'authentication_error',
      message:
        'The OpenAI-compatible model endpoint answered 401: Incorrect API key. Check OPENAI_API_KEY on the NanoClaw host.',
    });
    expect(
      translateError(404, '{"error":"model \\"qwen9\\" not found, try pulling it first"}').message,
    ).toContain(
      'model "qwen9" not found, try pulling it first. Check OPENAI_BASE_URL and the model name',
    );
    expect(translateError(400, '{"message":"bad max_tokens"}').message).toContain('bad max_tokens');
    expect(translateError(422, '{"detail":"field required"}').message).toContain('field required');
    expect(translateError(500, 'upstream exploded\n').message).toContain('500: upstream exploded.');
    expect(translateError(500, '').message).toContain('500: HTTP 500.');
    expect(translateError(429, '{"other":1}').message).toContain('{"other":1}');
  });

  it('keeps the status the SDK knows; an odd one becomes a bad gateway; messages are bounded', () => {
    expect(translateError(429, '{}').status).toBe(429);
    expect(translateError(302, '').status).toBe(502);
    expect(translateError(500, 'x'.repeat(5000)).message.length).toBeLessThan(1200);
  });
});
