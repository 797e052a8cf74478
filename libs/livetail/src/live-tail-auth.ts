import { Injectable, Logger } from '@nestjs/common';
import { AuthService, apiKeyFromHeaders, hasRole, type Principal } from '@app/auth';
import type { IncomingHttpHeaders } from 'node:http';

/** What the gateway needs of a socket.io handshake. */
export interface LiveTailHandshake {
  auth: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface LiveTailIdentity {
  principal: Principal;
  /** When the access token expires (epoch ms); null for API keys. */
  expiresAt: number | null;
  /** Only lines of this source may reach the socket (an API key restricted to one source). */
  source: string | null;
}

/** A refused connection; the message reaches the client as its `connect_error`. */
export class LiveTailAuthError extends Error {
  constructor(
    message: string,
    readonly data: { code: 'unauthorized' | 'forbidden' } = { code: 'unauthorized' },
  ) {
    super(message);
  }
}

const TOKEN_PROBLEMS = {
  expired: 'Access token expired: refresh it and reconnect',
  invalid: 'Invalid access token',
  'session-ended': 'This session has ended (signed out, password changed or user removed)',
} as const;

/**
 * Authenticates a socket.io handshake as the HTTP guards do a request: an API key (`lk_…`) or a
 * user access token, from `auth.token`, `Authorization: Bearer …` or `X-API-Key`. Live tail reads
 * logs, so it needs the viewer role: any user, or a key with the read (or admin) scope.
 */
@Injectable()
export class LiveTailAuthenticator {
  private readonly logger = new Logger(LiveTailAuthenticator.name);

  constructor(private readonly auth: AuthService) {}

  async authenticate(handshake: LiveTailHandshake): Promise<LiveTailIdentity> {
    const credential = credentialOf(handshake);
    if (!credential) {
      throw new LiveTailAuthError(
        'Missing credentials: connect with auth: { token: <access token or API key> } or an "Authorization: Bearer …" header',
      );
    }
    let identity: LiveTailIdentity;
    const apiKey = apiKeyFromHeaders({ authorization: `Bearer ${credential}` });
    if (apiKey) {
      const principal = await this.auth.principalForApiKey(apiKey);
      if (!principal) throw new LiveTailAuthError('Invalid or revoked API key');
      identity = {
        principal,
        expiresAt: null,
        source: principal.kind === 'api-key' ? principal.source : null,
      };
    } else {
      const checked = await this.auth.checkAccessToken(credential);
      if (!checked.valid) throw new LiveTailAuthError(TOKEN_PROBLEMS[checked.reason]);
      identity = { principal: checked.principal, expiresAt: checked.expiresAt, source: null };
    }
    if (!hasRole(identity.principal, 'viewer')) {
      throw new LiveTailAuthError('Live tail needs an API key with the read scope', {
        code: 'forbidden',
      });
    }
    return identity;
  }

  /** The connect_error for a failed authentication (never an internal detail). */
  toConnectError(error: unknown): Error {
    if (error instanceof LiveTailAuthError) return error;
    this.logger.warn(`Live tail authentication failed: ${(error as Error).message}`);
    return Object.assign(new Error('Authentication failed: try again later'), {
      data: { code: 'auth_unavailable' },
    });
  }
}

function credentialOf(handshake: LiveTailHandshake): string | undefined {
  const token = handshake.auth?.token;
  if (typeof token === 'string') {
    const value = token.replace(/^Bearer\s+/i, '').trim();
    if (value) return value;
  }
  const apiKey = apiKeyFromHeaders(handshake.headers);
  if (apiKey) return apiKey;
  const authorization = handshake.headers.authorization;
  const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization) : null;
  return match?.[1];
}
