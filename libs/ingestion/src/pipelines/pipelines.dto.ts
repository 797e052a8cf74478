import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';

const STEPS_DOC =
  'Ordered steps, each an object with a `type`: parse {format | pattern, source?, onFailure?}, ' +
  'set {field, value, when?}, rename {from, to}, remove {fields}, tag {tags, when?}, drop {when}, ' +
  'redact {detectors?: email | credit-card | bearer-token | url-password | ip, patterns?, fields?}, ' +
  'sample {keepOneIn, when?}. Conditions: {field, equals | in | matches | exists | gte/lte}, {all}, {any}, {not}.';

const STEPS_EXAMPLE = [
  { type: 'parse', format: 'nginx-access' },
  { type: 'drop', when: { field: 'path', equals: '/health' } },
  { type: 'redact', detectors: ['email', 'credit-card'] },
];

export class CreatePipelineDto {
  @ApiProperty({ example: 'nginx access' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiProperty({
    description: 'The source whose lines go through it (one pipeline per source)',
    example: 'nginx',
  })
  @Matches(/^[\w.\-:/@]{1,128}$/, {
    message: 'source may hold letters, digits and . _ - : / @ (1 to 128 characters)',
  })
  source!: string;

  @ApiProperty({
    description: STEPS_DOC,
    example: STEPS_EXAMPLE,
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true, message: 'each step must be an object with a type' })
  steps!: Record<string, unknown>[];

  @ApiPropertyOptional({
    description: 'Time zone for timestamps without one: IANA name or offset; default UTC',
    example: 'Europe/Berlin',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdatePipelineDto extends PartialType(CreatePipelineDto) {}

export class PipelineDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() source!: string;
  @ApiProperty({ type: 'array', items: { type: 'object' } }) steps!: Record<string, unknown>[];
  @ApiProperty({ type: String, nullable: true }) timeZone!: string | null;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class GrokPatternDto {
  @ApiProperty({ description: 'Upper case, digits and _', example: 'ORDER_ID' })
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/, {
    message: 'name must be upper case letters, digits and _ (e.g. ORDER_ID)',
  })
  name!: string;

  @ApiProperty({ description: 'RE2 syntax; may use other %{PATTERNS}', example: 'ORD-[0-9]{6}' })
  @IsString()
  @MaxLength(4096)
  pattern!: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class ParserTestDto {
  @ApiProperty({
    description: 'Sample lines (1 to 1000)',
    example: ['127.0.0.1 - - [21/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.0"'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @MaxLength(65_536, { each: true })
  lines!: string[];

  @ApiPropertyOptional({
    description: 'A built-in format to try (see GET /api/v1/parsers/formats)',
    example: 'nginx-access',
  })
  @IsOptional()
  @IsString()
  format?: string;

  @ApiPropertyOptional({
    description: 'A grok/RE2 pattern to try',
    example: '%{IP:client.ip} %{WORD:method} %{URIPATHPARAM:path}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  pattern?: string;

  @ApiPropertyOptional({
    description: 'A whole pipeline to try',
    type: 'array',
    items: { type: 'object' },
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsObject({ each: true })
  steps?: Record<string, unknown>[];

  @ApiPropertyOptional({ description: 'Time zone for timestamps without one', example: 'UTC' })
  @IsOptional()
  @IsString()
  timeZone?: string;
}

export class ParserTestLineDto {
  @ApiProperty() line!: number;
  @ApiProperty({ description: 'What matched: format:<name>, pattern:steps[i], auto:<format>' })
  matched!: string;
  @ApiProperty({ description: 'False when a drop step removed the line' }) kept!: boolean;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Columns and fields, as they would be stored',
  })
  result!: Record<string, unknown> | null;
  @ApiProperty({ type: [String] }) errors!: string[];
  @ApiProperty({ type: 'array', items: { type: 'object' } }) steps!: Record<string, unknown>[];
  @ApiProperty({ description: 'Time taken for this line, in microseconds' }) micros!: number;
}

export class ParserTestResponseDto {
  @ApiProperty({ type: [ParserTestLineDto] }) results!: ParserTestLineDto[];
}
