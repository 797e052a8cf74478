import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  API_KEY_SCOPES,
  USER_ROLES,
  type CurrentUser,
  type LoginRequest,
  type UserRole,
} from '@app/contracts';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import type {
  ApiKeyDetails,
  ChangePasswordRequest,
  CreateApiKeyRequest,
  CreatedApiKeyDetails,
  CreateUserRequest,
  RefreshRequest,
  ResetPasswordRequest,
  TokenPair,
  UpdateUserRequest,
  UserSummary,
} from './auth-types';
import type { ApiKeyScope } from './principal';

const USERNAME = /^[A-Za-z0-9._@+-]{1,128}$/;
const USERNAME_MESSAGE = 'username may hold letters, digits and . _ @ + - (1 to 128 characters)';
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 1024;

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  username!: string;

  @ApiProperty({ example: 'change-me-please' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class TokenPairDto implements TokenPair {
  @ApiProperty({ description: 'Send as "Authorization: Bearer <accessToken>"' })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the access token expires', example: 900 })
  expiresIn!: number;

  @ApiProperty({
    description:
      'Single use: exchange it at POST /api/v1/auth/refresh for a new pair. Using it twice revokes the session.',
    example: 'lr_…',
  })
  refreshToken!: string;

  @ApiProperty({ description: 'Seconds until the refresh token expires', example: 604800 })
  refreshExpiresIn!: number;
}

export class RefreshDto implements RefreshRequest {
  @ApiProperty({ example: 'lr_…' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  refreshToken!: string;
}

export class ChangePasswordDto implements ChangePasswordRequest {
  @ApiProperty()
  @IsString()
  @IsNotEmpty()
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}

export class CurrentUserDto implements CurrentUser {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin' })
  username!: string;

  @ApiProperty({ enum: USER_ROLES })
  role!: UserRole;
}

export class UserDto extends CurrentUserDto implements UserSummary {
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  passwordChangedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  lastLoginAt!: string | null;
}

export class CreateUserDto implements CreateUserRequest {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username!: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role!: UserRole;
}

export class UpdateUserDto implements UpdateUserRequest {
  @ApiPropertyOptional({ example: 'alice' })
  @IsOptional()
  @IsString()
  @Matches(USERNAME, { message: USERNAME_MESSAGE })
  username?: string;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class ResetPasswordDto implements ResetPasswordRequest {
  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class CreateApiKeyDto implements CreateApiKeyRequest {
  @ApiProperty({ description: 'What the key is for', example: 'web-01 shipper' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    enum: API_KEY_SCOPES,
    isArray: true,
    default: ['ingest', 'read'],
    description: 'ingest: send logs; read: search and read (as a viewer); admin: everything',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({
    description:
      'Restrict the key to one source: it ingests only as this source and reads only its lines',
    example: 'payments-api',
  })
  @IsOptional()
  @Matches(/^[\w.\-:/@]{1,128}$/, {
    message: 'source may hold letters, digits and . _ - : / @ (1 to 128 characters)',
  })
  source?: string;
}

export class ApiKeyDto implements ApiKeyDetails {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'First characters of the key', example: 'lk_AbC1234' })
  prefix!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes!: ApiKeyScope[];

  @ApiProperty({ nullable: true, type: String, description: 'The only source it may use' })
  source!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Last use, to the minute',
  })
  lastUsedAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto implements CreatedApiKeyDetails {
  @ApiProperty({ description: 'The key itself; shown only in this response', example: 'lk_…' })
  key!: string;
}
