import { Inject, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { Repository } from 'typeorm';
import { ApiKeysService } from './api-keys.service';
import type { TokenPair } from './auth-types';
import { LoginLockout } from './login-lockout';
import type { AccessTokenClaims, Principal } from './principal';
import { generatePassword, hashPassword, passwordNeedsRehash, verifyPassword } from './secrets';
import { SessionsService, type ClientInfo } from './sessions.service';
import { UserEntity } from './user.entity';

/** An access token checked: who and until when (epoch ms), or why not. */
export type AccessTokenCheck =
  | { valid: true; principal: Principal; expiresAt: number | null }
  | { valid: false; reason: 'expired' | 'invalid' | 'session-ended' };

/** Sign-in, sessions and the resolution of credentials into principals. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  /** An argon2 hash to check passwords of unknown users against, so timing does not tell. */
  private decoyHash?: Promise<string>;

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly lockout: LoginLockout,
    private readonly jwt: JwtService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /** First start: creates `admin` with ADMIN_PASSWORD, or a generated password printed once. */
  async ensureAdminUser(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const generated = this.config.adminPassword === undefined;
    const password = this.config.adminPassword ?? generatePassword();
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({
        username: 'admin',
        passwordHash: await hashPassword(password),
        role: 'admin',
        passwordChangedAt: new Date(),
      })
      .orIgnore()
      .execute();
    // Several api processes may start on an empty database at once: only the one whose row went
    // in (RETURNING gave it back; `identifiers` is filled either way) may say so.
    if ((result.raw as unknown[]).length === 0) return;
    if (!generated) {
      this.logger.log('Created user "admin" with ADMIN_PASSWORD');
      return;
    }
    // Printed once, on purpose: it is stored only as a hash.
    this.logger.warn(
      `Created user "admin" with the generated password: ${password}  (shown once; set ADMIN_PASSWORD to choose it)`,
    );
  }

  /**
   * Checks the password (after the lockout), upgrades an old hash to argon2id, and starts a
   * session. @throws LoginLockedException (429) or UnauthorizedException
   */
  async login(username: string, password: string, client: ClientInfo): Promise<TokenPair> {
    const ip = client.ip ?? 'unknown';
    await this.lockout.assertNotLocked(username, ip);
    const user = await this.users.findOne({ where: { username } });
    const valid = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, await this.decoy()), false);
    if (!user || !valid) {
      await this.lockout.recordFailure(username, ip);
      throw new UnauthorizedException('Wrong username or password');
    }
    await this.lockout.recordSuccess(username);
    const changes: Partial<UserEntity> = { lastLoginAt: new Date() };
    if (passwordNeedsRehash(user.passwordHash)) {
      changes.passwordHash = await hashPassword(password);
    }
    await this.users.update(user.id, changes);
    return this.sessions.start(user, client);
  }

  refresh(refreshToken: string): Promise<TokenPair> {
    return this.sessions.refresh(refreshToken);
  }

  async logout(refreshToken: string): Promise<void> {
    await this.sessions.revokeByRefreshToken(refreshToken);
  }

  /** The user behind verified access-token claims, if the user and the session still exist. */
  principalForToken(claims: AccessTokenClaims): Promise<Principal | undefined> {
    return this.sessions.principalForClaims(claims);
  }

  /** Verifies an access token outside HTTP (the live-tail WebSocket): signature, expiry, session. */
  async checkAccessToken(token: string): Promise<AccessTokenCheck> {
    let claims: AccessTokenClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims & { exp?: number }>(token);
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      return { valid: false, reason: expired ? 'expired' : 'invalid' };
    }
    const principal = await this.principalForToken(claims);
    if (!principal) return { valid: false, reason: 'session-ended' };
    const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : null;
    return { valid: true, principal, expiresAt };
  }

  principalForApiKey(key: string): Promise<Principal | undefined> {
    return this.apiKeys.principalForApiKey(key);
  }

  private decoy(): Promise<string> {
    this.decoyHash ??= hashPassword(generatePassword());
    return this.decoyHash;
  }
}
