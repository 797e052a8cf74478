import { Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { TokenPair } from './auth-types';
import type { AccessTokenClaims, Principal } from './principal';
import { SECURITY_SETTINGS, type SecuritySettings } from './security-settings';
import { generateRefreshToken, hashApiKey, REFRESH_TOKEN_PREFIX } from './secrets';
import type { UserEntity } from './user.entity';

/** Where a sign-in came from, kept with the session for the user's and admins' information. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export type SessionRevocationReason =
  'logout' | 'password-changed' | 'password-reset' | 'refresh-token-reuse';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SessionUserRow {
  id: string;
  username: string;
  role: UserEntity['role'];
}

/**
 * Sign-in sessions: a short-lived access token (JWT, carries the session id) and a single-use
 * refresh token that rotates at every refresh. Refresh tokens are stored as SHA-256 hashes; using
 * one a second time (a stolen copy, or the legitimate client after the thief) revokes the whole
 * session, which also ends its access tokens at once.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    @Inject(SECURITY_SETTINGS) private readonly settings: SecuritySettings,
  ) {}

  async start(user: UserEntity, client: ClientInfo): Promise<TokenPair> {
    return this.dataSource.transaction(async (manager) => {
      // Housekeeping: this user's sessions that can no longer be used.
      await manager.query(
        `DELETE FROM auth_sessions
          WHERE user_id = $1 AND (expires_at < now() OR revoked_at < now() - interval '1 day')`,
        [user.id],
      );
      const rows: { id: string }[] = await manager.query(
        `INSERT INTO auth_sessions (user_id, expires_at, ip, user_agent)
         VALUES ($1, now() + make_interval(secs => $2), $3, $4) RETURNING id`,
        [
          user.id,
          this.settings.sessionMaxAgeSeconds,
          client.ip?.slice(0, 100) ?? null,
          client.userAgent?.slice(0, 300) ?? null,
        ],
      );
      return this.issue(manager, rows[0].id, user);
    });
  }

  /** Exchanges a refresh token for a new pair. @throws UnauthorizedException */
  async refresh(refreshToken: string): Promise<TokenPair> {
    if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX)) {
      throw new UnauthorizedException('Invalid refresh token: sign in again');
    }
    const hash = hashApiKey(refreshToken);
    const pair = await this.dataSource.transaction(async (manager) => {
      // Atomic: of two concurrent exchanges of one token, exactly one wins.
      const consumed = rowsOf<{ session_id: string }>(
        await manager.query(
          `UPDATE refresh_tokens SET used_at = now()
            WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING session_id`,
          [hash],
        ),
      );
      if (consumed.length === 0) return undefined;
      const sessionId = consumed[0].session_id;
      const users: SessionUserRow[] = await manager.query(
        `SELECT u.id, u.username, u.role
           FROM auth_sessions s JOIN users u ON u.id = s.user_id
          WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
        [sessionId],
      );
      if (users.length === 0) {
        throw new UnauthorizedException('This session has ended: sign in again');
      }
      await manager.query(
        `DELETE FROM refresh_tokens WHERE session_id = $1 AND expires_at < now()`,
        [sessionId],
      );
      await manager.query(`UPDATE auth_sessions SET last_refreshed_at = now() WHERE id = $1`, [
        sessionId,
      ]);
      return this.issue(manager, sessionId, users[0]);
    });
    if (pair) return pair;

    const known: { session_id: string; used_at: Date | null }[] = await this.dataSource.query(
      `SELECT session_id, used_at FROM refresh_tokens WHERE token_hash = $1`,
      [hash],
    );
    if (known.length > 0 && known[0].used_at !== null) {
      await this.revoke(known[0].session_id, 'refresh-token-reuse');
      throw new UnauthorizedException(
        'This refresh token was already used: the session is revoked for safety; sign in again',
      );
    }
    throw new UnauthorizedException(
      known.length > 0
        ? 'Refresh token expired: sign in again'
        : 'Invalid refresh token: sign in again',
    );
  }

  /** Logout: ends the session of a refresh token (whether or not it was used). Unknown: no-op. */
  async revokeByRefreshToken(refreshToken: string): Promise<string | undefined> {
    const rows: { session_id: string }[] = await this.dataSource.query(
      `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`,
      [hashApiKey(refreshToken)],
    );
    if (rows.length === 0) return undefined;
    await this.revoke(rows[0].session_id, 'logout');
    return rows[0].session_id;
  }

  async revoke(sessionId: string, reason: SessionRevocationReason): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE id = $1 AND revoked_at IS NULL`,
      [sessionId, reason],
    );
  }

  /** Ends every session of a user, but `exceptSessionId` (the one changing its own password). */
  async revokeAllOfUser(
    userId: string,
    reason: SessionRevocationReason,
    exceptSessionId?: string,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2
        WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3::uuid)`,
      [userId, reason, exceptSessionId ?? null],
    );
  }

  /**
   * The user behind a verified access token, if the account still exists and the token's session
   * is not revoked. The role is read here, so a role change applies to the next request.
   */
  async principalForClaims(claims: AccessTokenClaims): Promise<Principal | undefined> {
    if (typeof claims.sid !== 'string' || !UUID.test(claims.sid)) return undefined;
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return undefined;
    const rows: SessionUserRow[] = await this.dataSource.query(
      `SELECT u.id, u.username, u.role
         FROM auth_sessions s JOIN users u ON u.id = s.user_id
        WHERE s.id = $1 AND u.id = $2 AND s.revoked_at IS NULL`,
      [claims.sid, claims.sub],
    );
    if (rows.length === 0) return undefined;
    const user = rows[0];
    return {
      kind: 'user',
      id: user.id,
      username: user.username,
      role: user.role,
      sessionId: claims.sid,
    };
  }

  private async issue(
    manager: EntityManager,
    sessionId: string,
    user: SessionUserRow,
  ): Promise<TokenPair> {
    const { token, hash } = generateRefreshToken();
    // Both times from the database clock: `expires_in` is exact whatever the clocks say.
    const issued: { expires_in: number }[] = await manager.query(
      `INSERT INTO refresh_tokens (token_hash, session_id, expires_at)
       SELECT $1, id, least(now() + make_interval(secs => $3), expires_at)
         FROM auth_sessions WHERE id = $2
       RETURNING round(extract(epoch FROM expires_at - now()))::int AS expires_in`,
      [hash, sessionId, this.settings.refreshTokenTtlSeconds],
    );
    const claims: AccessTokenClaims = {
      sub: user.id,
      username: user.username,
      role: user.role,
      sid: sessionId,
    };
    const expiresIn = this.settings.accessTokenTtlSeconds;
    return {
      accessToken: await this.jwt.signAsync(claims, { expiresIn }),
      expiresIn,
      refreshToken: token,
      refreshExpiresIn: Math.max(0, issued[0].expires_in),
    };
  }
}

/** `UPDATE … RETURNING` through TypeORM's pg driver answers `[rows, count]`; SELECT answers rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
    return result[0] as T[];
  }
  return result as T[];
}
