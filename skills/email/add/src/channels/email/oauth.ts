/**
 * OAuth2 access tokens for XOAUTH2 (Gmail, Microsoft 365), refreshed on the host from the
 * refresh token at the provider's token endpoint and cached until shortly before they expire.
 * The refresh token and client secret never leave this object except in that one request.
 */
import { z } from 'zod';
import { NanoClawError } from '../../errors.js';

/** The token endpoint refused or failed; `permanent` when new credentials are needed. */
export class OAuthError extends NanoClawError {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, {}, options);
  }
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
});
const ErrorResponse = z.object({ error: z.string(), error_description: z.string().optional() });

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenUrl: string;
}

/** Refresh this long before the provider's expiry, so a token never dies mid-login. */
const EARLY_MS = 60_000;

export class TokenSource {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly client: OAuthClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token (one refresh at a time, shared by IMAP and SMTP). */
  async get(signal: AbortSignal): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    this.pending ??= this.refresh(signal).finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** The server refused the token: the next get() refreshes. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async refresh(signal: AbortSignal): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: this.client.clientId,
      client_secret: this.client.clientSecret,
      refresh_token: this.client.refreshToken,
    });
    let res: Response;
    try {
      res = await fetch(this.client.tokenUrl, { method: 'POST', body, signal, redirect: 'error' });
    } catch (error) {
      const code = (error as { cause?: { code?: unknown } }).cause?.code;
      throw new OAuthError(
        `cannot reach the OAuth2 token endpoint ${this.client.tokenUrl} (${typeof code === 'string' ? code : 'network error'})`,
        false,
        { cause: error },
      );
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = ErrorResponse.safeParse(json);
      const what = err.success ? err.data.error : `HTTP ${res.status}`;
      // invalid_grant: the refresh token was revoked or expired; invalid_client: wrong id/secret.
      const permanent = res.status === 400 || res.status === 401;
      throw new OAuthError(`the OAuth2 token endpoint refused the refresh (${what})`, permanent);
    }
    const parsed = TokenResponse.safeParse(json);
    if (!parsed.success)
      throw new OAuthError('the OAuth2 token endpoint sent no access_token', false);
    const lifetimeMs = (parsed.data.expires_in ?? 3600) * 1000;
    this.cached = {
      token: parsed.data.access_token,
      expiresAt: this.now() + Math.max(0, lifetimeMs - EARLY_MS),
    };
    return parsed.data.access_token;
  }
}
