import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  LOG_LEVELS,
  type CreateSavedSearchRequest,
  type LogLevelName,
  type SavedSearch,
  type SavedSearchFilters,
} from '@app/contracts';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsTimeExpression } from '../analytics/analytics.dto';
import { MAX_QUERY_LENGTH } from '../query';

const TIME_HELP =
  'Absolute (ISO 8601) or relative to when the search is run (now, now-24h, now-7d)';

export class SavedSearchFiltersDto implements SavedSearchFilters {
  @ApiPropertyOptional({ description: `Start of the range. ${TIME_HELP}`, example: 'now-24h' })
  @IsOptional()
  @IsTimeExpression()
  from?: string;

  @ApiPropertyOptional({ description: `End of the range. ${TIME_HELP}`, example: 'now' })
  @IsOptional()
  @IsTimeExpression()
  to?: string;

  @ApiPropertyOptional({ enum: LOG_LEVELS, isArray: true, example: ['error', 'critical'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(LOG_LEVELS.length)
  @IsIn(LOG_LEVELS, { each: true, message: `levels must be among ${LOG_LEVELS.join(', ')}` })
  levels?: LogLevelName[];

  @ApiPropertyOptional({ type: [String], example: ['payments-api'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  sources?: string[];
}

const trim = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.trim() : value;

export class CreateSavedSearchDto implements CreateSavedSearchRequest {
  @ApiProperty({ example: 'Checkout errors' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    description: 'Query-language text (checked when saved); empty matches everything',
    example: 'level:error AND path:/checkout*',
    default: '',
  })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_QUERY_LENGTH)
  query?: string;

  @ApiPropertyOptional({ type: SavedSearchFiltersDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SavedSearchFiltersDto)
  filters?: SavedSearchFiltersDto;

  @ApiPropertyOptional({
    description: 'Visible (read-only) to every user',
    default: false,
  })
  @IsOptional()
  @IsBoolean()
  shared?: boolean;
}

/** Every property optional; `filters`, when given, replaces the saved filters as a whole. */
export class UpdateSavedSearchDto extends PartialType(CreateSavedSearchDto) {}

export class SavedSearchOwnerDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'alice' }) username!: string;
}

export class SavedSearchDto implements SavedSearch {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() query!: string;
  @ApiProperty({ type: SavedSearchFiltersDto }) filters!: SavedSearchFiltersDto;
  @ApiProperty() shared!: boolean;
  @ApiProperty({ type: SavedSearchOwnerDto }) owner!: SavedSearchOwnerDto;
  @ApiProperty({ description: 'The caller owns it (and may change or delete it)' })
  mine!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}
