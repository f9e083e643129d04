/**
 * An OpenAI-compatible endpoint's error answer → Anthropic's error shape (pure), so the SDK
 * treats it as it would Anthropic's: retries what is retryable, shows the message otherwise.
 * Error bodies differ between servers: OpenAI's `{error:{message}}`, Ollama's `{error:"…"}`,
 * vLLM's and others' `{message}` or `{detail}`; plain text is taken as it is (bounded).
 */
import { z } from 'zod';

const ErrorBody = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
  message: z.string().optional(),
  detail: z.string().optional(),
});

export interface AnthropicError {
  status: number;
  type: string;
  message: string;
}

const MAX_MESSAGE = 1000;

/** Anthropic's error type for an HTTP status. */
export function errorType(status: number): string {
  if (status === 400 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 402 || status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}

function messageOf(text: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.trim(); // not JSON: the text is the message
  }
  const body = ErrorBody.safeParse(json);
  if (!body.success) return text.trim();
  const { error, message, detail } = body.data;
  const said = typeof error === 'string' ? error : (error?.message ?? message ?? detail);
  return said ?? text.trim();
}

const HINTS: Record<number, string> = {
  401: ' Check OPENAI_API_KEY on the NanoClaw host.',
  404: ' Check OPENAI_BASE_URL and the model name (NANOCLAW_MODEL or `groups set-model`).',
};

export function translateError(status: number, body: string): AnthropicError {
  const said = messageOf(body).slice(0, MAX_MESSAGE) || `HTTP ${status}`;
  return {
    // Statuses the SDK knows keep their meaning; anything odd is a bad gateway.
    status: status >= 400 && status <= 599 ? status : 502,
    type: errorType(status),
    message: `The OpenAI-compatible model endpoint answered ${status}: ${said}.${HINTS[status] ?? ''}`,
  };
}
