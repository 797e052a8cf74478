import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { UploadProgress, UploadStatus } from '@app/contracts';
import type { UploadEntity } from './upload.entity';

export const UPLOAD_STATUSES: readonly UploadStatus[] = ['pending', 'processing', 'done', 'failed'];

export class UploadDto implements UploadProgress {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'nginx-access.log.gz' }) filename!: string;
  @ApiProperty({ example: 'nginx' }) source!: string;

  @ApiProperty({
    enum: UPLOAD_STATUSES,
    description: 'pending (waiting its turn), processing, done or failed (see error)',
  })
  status!: UploadStatus;

  @ApiProperty({ description: 'Size of the uploaded file (compressed size for .gz)' })
  totalBytes!: number;

  @ApiProperty({ description: 'Bytes of the uploaded file read so far' })
  bytesDone!: number;

  @ApiProperty({ description: 'Lines accepted so far' })
  linesDone!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Lines in the file, once done' })
  linesTotal!: number | null;

  @ApiProperty({ minimum: 0, maximum: 100, example: 42 })
  percent!: number;

  @ApiProperty({ type: String, nullable: true, description: 'Why the upload failed' })
  error!: string | null;

  @ApiProperty({ format: 'date-time' }) createdAt!: string;

  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  finishedAt!: string | null;
}

export class UploadListQueryDto {
  @ApiPropertyOptional({
    description: 'How many (newest first)',
    default: 50,
    minimum: 1,
    maximum: 500,
  })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Number(value)))
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;
}

export function toUploadProgress(upload: UploadEntity): UploadProgress {
  const percent =
    upload.status === 'done'
      ? 100
      : upload.totalBytes > 0
        ? Math.min(100, Math.floor((upload.bytesDone / upload.totalBytes) * 100))
        : 0;
  return {
    id: upload.id,
    filename: upload.filename,
    source: upload.source,
    status: upload.status,
    totalBytes: upload.totalBytes,
    bytesDone: upload.bytesDone,
    linesDone: upload.linesDone,
    linesTotal: upload.linesTotal,
    percent,
    error: upload.error,
    createdAt: upload.createdAt.toISOString(),
    finishedAt: upload.finishedAt?.toISOString() ?? null,
  };
}
