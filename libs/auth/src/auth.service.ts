import {
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  UnauthorizedException,
} from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { ApiKeySummary, CreatedApiKey, LoginResponse } from '@app/contracts';
import { IsNull, Repository } from 'typeorm';
import { ApiKeyEntity } from './api-key.entity';
import type { AccessTokenClaims, Principal } from './principal';
import {
  generateApiKey,
  generatePassword,
  hashApiKey,
  hashPassword,
  verifyPassword,
} from './secrets';
import { UserEntity } from './user.entity';

/** `last_used_at` is written at most this often per key, to keep ingest off the users table. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    @InjectRepository(ApiKeyEntity) private readonly apiKeys: Repository<ApiKeyEntity>,
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
      .values({ username: 'admin', passwordHash: await hashPassword(password), role: 'admin' })
      .orIgnore()
      .execute();
    if (result.identifiers.length === 0 || !generated) {
      if (result.identifiers.length > 0)
        this.logger.log('Created user "admin" with ADMIN_PASSWORD');
      return;
    }
    // Printed once, on purpose: it is stored only as a hash.
    this.logger.warn(
      `Created user "admin" with the generated password: ${password}  (shown once; set ADMIN_PASSWORD to choose it)`,
    );
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const user = await this.users.findOne({ where: { username } });
    // Hash even for an unknown user, so timing does not reveal which usernames exist.
    const valid = user
      ? await verifyPassword(password, user.passwordHash)
      : (await hashPassword(password), false);
    if (!user || !valid) throw new UnauthorizedException('Wrong username or password');
    const claims: AccessTokenClaims = { sub: user.id, username: user.username, role: user.role };
    return {
      accessToken: await this.jwt.signAsync(claims, { expiresIn: this.config.jwtTtlSeconds }),
      expiresIn: this.config.jwtTtlSeconds,
    };
  }

  /** The user behind a verified token, if the account still exists. */
  async principalForToken(claims: AccessTokenClaims): Promise<Principal | undefined> {
    const user = await this.users.findOne({ where: { id: claims.sub } });
    return user
      ? { kind: 'user', id: user.id, username: user.username, role: user.role }
      : undefined;
  }

  async principalForApiKey(key: string): Promise<Principal | undefined> {
    const apiKey = await this.apiKeys.findOne({
      where: { keyHash: hashApiKey(key), revokedAt: IsNull() },
    });
    if (!apiKey) return undefined;
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(apiKey.id) ?? 0) > LAST_USED_WRITE_INTERVAL_MS) {
      this.lastUsedWritten.set(apiKey.id, now);
      void this.apiKeys.update(apiKey.id, { lastUsedAt: new Date(now) }).catch(() => undefined);
    }
    return { kind: 'api-key', id: apiKey.id, name: apiKey.name };
  }

  async createApiKey(name: string, createdBy: string | null): Promise<CreatedApiKey> {
    const { key, prefix, hash } = generateApiKey();
    const saved = await this.apiKeys.save(
      this.apiKeys.create({ name, prefix, keyHash: hash, createdBy }),
    );
    return { ...toSummary(saved), key };
  }

  async listApiKeys(): Promise<ApiKeySummary[]> {
    const keys = await this.apiKeys.find({ order: { createdAt: 'DESC' } });
    return keys.map(toSummary);
  }

  async revokeApiKey(id: string): Promise<ApiKeySummary> {
    const apiKey = await this.apiKeys.findOne({ where: { id } });
    if (!apiKey) throw new NotFoundException(`No API key with id ${id}`);
    if (!apiKey.revokedAt) {
      apiKey.revokedAt = new Date();
      await this.apiKeys.save(apiKey);
    }
    return toSummary(apiKey);
  }
}

function toSummary(apiKey: ApiKeyEntity): ApiKeySummary {
  return {
    id: apiKey.id,
    name: apiKey.name,
    prefix: apiKey.prefix,
    createdAt: apiKey.createdAt.toISOString(),
    lastUsedAt: apiKey.lastUsedAt?.toISOString() ?? null,
    revokedAt: apiKey.revokedAt?.toISOString() ?? null,
  };
}
