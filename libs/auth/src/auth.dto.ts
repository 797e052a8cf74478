import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  ApiKeySummary,
  CreatedApiKey,
  CurrentUser,
  LoginRequest,
  LoginResponse,
  UserRole,
} from '@app/contracts';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class LoginDto implements LoginRequest {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  username!: string;

  @ApiProperty({ example: 'change-me-please' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password!: string;
}

export class LoginResponseDto implements LoginResponse {
  @ApiProperty({ description: 'Send as "Authorization: Bearer <accessToken>"' })
  accessToken!: string;

  @ApiProperty({ description: 'Seconds until the token expires', example: 43200 })
  expiresIn!: number;
}

export class CurrentUserDto implements CurrentUser {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'admin' })
  username!: string;

  @ApiProperty({ enum: ['admin', 'editor', 'viewer'] })
  role!: UserRole;
}

export class CreateApiKeyDto {
  @ApiProperty({ description: 'What the key is for', example: 'web-01 shipper' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;
}

export class ApiKeyDto implements ApiKeySummary {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ description: 'First characters of the key', example: 'lk_AbC1234' })
  prefix!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  lastUsedAt!: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  revokedAt!: string | null;
}

export class CreatedApiKeyDto extends ApiKeyDto implements CreatedApiKey {
  @ApiProperty({ description: 'The key itself; shown only in this response', example: 'lk_…' })
  key!: string;
}
