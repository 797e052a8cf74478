import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { AuthService, apiKeyFromHeaders, type Principal } from '@app/auth';
import type { IncomingHttpHeaders } from 'node:http';

type AccessTokenClaims = Parameters<AuthService['principalForToken']>[0] & { exp?: number };

/** What the gateway needs of a socket.io handshake. */
export interface LiveTailHandshake {
  auth: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface LiveTailIdentity {
  principal: Principal;
  /** When the access token expires (epoch ms); null for API keys. */
  expiresAt: number | null;
}

/** A refused connection; the message reaches the client as its `connect_error`. */
export class LiveTailAuthError extends Error {
  readonly data = { code: 'unauthorized' };
}

/**
 * Authenticates a socket.io handshake as the HTTP guard does a request: an API key (`lk_…`) or a
 * user access token, from `auth.token`, `Authorization: Bearer …` or `X-API-Key`.
 */
@Injectable()
export class LiveTailAuthenticator implements OnModuleInit {
  private readonly logger = new Logger(LiveTailAuthenticator.name);
  private jwt!: JwtService;

  constructor(
    private readonly auth: AuthService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    // AuthModule keeps its JwtService (signed with the installation's secret) to itself; this is
    // the same instance. Better: AuthService exporting a principalForAccessToken(token).
    this.jwt = this.moduleRef.get(JwtService, { strict: false });
  }

  async authenticate(handshake: LiveTailHandshake): Promise<LiveTailIdentity> {
    const credential = credentialOf(handshake);
    if (!credential) {
      throw new LiveTailAuthError(
        'Missing credentials: connect with auth: { token: <access token or API key> } or an "Authorization: Bearer …" header',
      );
    }
    const apiKey = apiKeyFromHeaders({ authorization: `Bearer ${credential}` });
    if (apiKey) {
      const principal = await this.auth.principalForApiKey(apiKey);
      if (!principal) throw new LiveTailAuthError('Invalid or revoked API key');
      return { principal, expiresAt: null };
    }
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(credential);
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new LiveTailAuthError(
        expired ? 'Access token expired: log in again' : 'Invalid access token',
      );
    }
    const principal = await this.auth.principalForToken(claims);
    if (!principal) throw new LiveTailAuthError('The user of this access token no longer exists');
    return { principal, expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : null };
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
