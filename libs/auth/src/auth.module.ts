import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { DataSource } from 'typeorm';
import { RolesGuard } from './roles.guard';
import { ApiAuthGuard } from './api-auth.guard';
import { ApiKeyEntity } from './api-key.entity';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';
import { ApiKeysController, AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtSecret } from './jwt-secret';
import { SettingEntity } from './setting.entity';
import { ApiKeyStrategy, JwtStrategy } from './strategies';
import { UserEntity } from './user.entity';

const jwtSecretProvider = {
  provide: JwtSecret,
  inject: [LOOKOUT_CONFIG, getDataSourceToken()],
  useFactory: (config: LookoutConfig, dataSource: DataSource) =>
    JwtSecret.resolve(config.jwtSecret, dataSource),
};

@Module({
  imports: [TypeOrmModule.forFeature([UserEntity, ApiKeyEntity, SettingEntity])],
  providers: [jwtSecretProvider],
  exports: [jwtSecretProvider],
})
class JwtSecretModule {}

/** Users, API keys, tokens, and the global guard that protects every route not marked @Public(). */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, ApiKeyEntity, SettingEntity, AuditEntryEntity]),
    PassportModule,
    JwtSecretModule,
    JwtModule.registerAsync({
      imports: [JwtSecretModule],
      inject: [JwtSecret],
      useFactory: (secret: JwtSecret) => ({ secret: secret.value }),
    }),
  ],
  controllers: [AuthController, ApiKeysController, AuditController],
  providers: [
    AuthService,
    AuditService,
    JwtStrategy,
    ApiKeyStrategy,
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    // Runs after ApiAuthGuard (registration order): the principal is known by then.
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AuthService, AuditService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(private readonly auth: AuthService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.auth.ensureAdminUser();
  }
}
