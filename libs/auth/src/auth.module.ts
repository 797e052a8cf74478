import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, Reflector } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { getOptionsToken, getStorageToken } from '@nestjs/throttler';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { DataSource } from 'typeorm';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysService } from './api-keys.service';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { ApiKeysController, AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtSecret } from './jwt-secret';
import { LoginLockout } from './login-lockout';
import { RateLimitGuard, RedisThrottlerStorage, rateLimitOptions } from './rate-limit';
import { RolesGuard } from './roles.guard';
import { RouteCatalog } from './route-catalog';
import { SECURITY_SETTINGS, securitySettings, type SecuritySettings } from './security-settings';
import { RefreshTokenEntity, SessionEntity } from './session.entity';
import { SessionsService } from './sessions.service';
import { SettingEntity } from './setting.entity';
import { ApiKeyStrategy, JwtStrategy } from './strategies';
import { UserEntity } from './user.entity';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

const jwtSecretProvider = {
  provide: JwtSecret,
  inject: [LOOKOUT_CONFIG, getDataSourceToken()],
  useFactory: (config: LookoutConfig, dataSource: DataSource) =>
    JwtSecret.resolve(config.jwtSecret, dataSource),
};

@Module({
  imports: [TypeOrmModule.forFeature([SettingEntity])],
  providers: [jwtSecretProvider],
  exports: [jwtSecretProvider],
})
class JwtSecretModule {}

/**
 * Users, sessions, API keys, the audit log, and the global guards, in this order: rate limit (per
 * address and credential), authentication (every route not marked @Public()), then roles and
 * scopes (@RequireRole / @RequireScope, viewer by default).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      UserEntity,
      ApiKeyEntity,
      SettingEntity,
      AuditEntryEntity,
      SessionEntity,
      RefreshTokenEntity,
    ]),
    PassportModule,
    DiscoveryModule,
    JwtSecretModule,
    JwtModule.registerAsync({
      imports: [JwtSecretModule],
      inject: [JwtSecret],
      useFactory: (secret: JwtSecret) => ({ secret: secret.value }),
    }),
  ],
  controllers: [AuthController, ApiKeysController, UsersController, AuditController],
  providers: [
    {
      provide: SECURITY_SETTINGS,
      inject: [LOOKOUT_CONFIG],
      useFactory: securitySettings,
    },
    {
      provide: getOptionsToken(),
      inject: [SECURITY_SETTINGS, Reflector],
      useFactory: (settings: SecuritySettings, reflector: Reflector) =>
        rateLimitOptions(settings, reflector),
    },
    { provide: getStorageToken(), useClass: RedisThrottlerStorage },
    AuthService,
    SessionsService,
    ApiKeysService,
    UsersService,
    LoginLockout,
    AuditService,
    RouteCatalog,
    JwtStrategy,
    ApiKeyStrategy,
    // Global guards run in registration order.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, AuditService, RouteCatalog, SECURITY_SETTINGS],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly auth: AuthService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.auth.ensureAdminUser();
  }
}
