import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { IngestLineError, IngestResponse } from '@app/contracts';
import { IsOptional, Matches } from 'class-validator';

export class IngestQueryDto {
  @ApiPropertyOptional({
    description: 'Name of the source the lines come from (letters, digits and . _ - : / @).',
    default: 'http',
    example: 'payments-api',
  })
  @IsOptional()
  @Matches(/^[\w.\-:/@]{1,128}$/, {
    message: 'source may hold letters, digits and . _ - : / @ (1 to 128 characters)',
  })
  source?: string;
}

export class IngestLineErrorDto implements IngestLineError {
  @ApiProperty({ description: '1-based line (NDJSON) or element (JSON array) number', example: 3 })
  line!: number;

  @ApiProperty({ example: 'invalid JSON: Unexpected end of JSON input' })
  error!: string;
}

export class IngestResponseDto implements IngestResponse {
  @ApiProperty({ description: 'Lines durably enqueued', example: 3 })
  accepted!: number;

  @ApiProperty({
    type: [IngestLineErrorDto],
    description: 'Lines refused; the others were accepted',
  })
  rejected!: IngestLineErrorDto[];
}
