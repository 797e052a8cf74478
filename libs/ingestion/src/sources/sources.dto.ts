import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, Matches } from 'class-validator';
import type { SourceType } from './source.entity';

const SOURCE_TYPES: SourceType[] = ['file', 'syslog', 'http'];

export class CreateSourceDto {
  @ApiProperty({
    description: 'Unique; also the `source` of the lines it produces',
    example: 'nginx',
  })
  @Matches(/^[\w.\-:/@]{1,128}$/, {
    message: 'name may hold letters, digits and . _ - : / @ (1 to 128 characters)',
  })
  name!: string;

  @ApiProperty({ enum: SOURCE_TYPES })
  @IsIn(SOURCE_TYPES, { message: `type must be one of ${SOURCE_TYPES.join(', ')}` })
  type!: SourceType;

  @ApiPropertyOptional({
    description:
      'For `file`: { include: ["/var/log/app/*.log"], exclude?: [...], startAt: "end" | "beginning", ' +
      'multiline?: { pattern: "^\\\\s", maxLines: 500, flushMs: 1000 } }. Other types: free-form.',
    example: { include: ['/var/log/nginx/*.log'], startAt: 'end' },
    type: 'object',
    additionalProperties: true,
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateSourceDto extends PartialType(CreateSourceDto) {}

export class TailedFileDto {
  @ApiProperty() path!: string;
  @ApiProperty({ description: 'Bytes stored so far (the position a restart resumes from)' })
  storedOffset!: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Current size of the file' })
  size!: number | null;
}

export class SourceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: SOURCE_TYPES }) type!: SourceType;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings!: Record<string, unknown>;
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiPropertyOptional({
    type: [TailedFileDto],
    description: 'For file sources: the files and positions',
  })
  files?: TailedFileDto[];
}
