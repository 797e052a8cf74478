import { Column, CreateDateColumn, Entity, PrimaryColumn, type ValueTransformer } from 'typeorm';

import type { UploadStatus } from '@app/contracts';

export type { UploadStatus };

/** `bigint` columns come back from pg as strings; counts of bytes and lines fit a JS number. */
const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** One uploaded log file and how far its processing got (table made by SourcesAndUploads). */
@Entity({ name: 'uploads' })
export class UploadEntity {
  /** Chosen by the api before the row exists: it also names the file waiting in UPLOAD_DIR. */
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** The name the file had on the sender's side. */
  @Column({ type: 'text' })
  filename!: string;

  @Column({ type: 'text' })
  source!: string;

  @Column({ type: 'text' })
  status!: UploadStatus;

  /** Size of the file as uploaded (compressed size for .gz). */
  @Column({ name: 'total_bytes', type: 'bigint', transformer: bigintAsNumber })
  totalBytes!: number;

  /** Bytes of the uploaded file read so far (compressed bytes for .gz). */
  @Column({ name: 'bytes_done', type: 'bigint', default: 0, transformer: bigintAsNumber })
  bytesDone!: number;

  /** Lines accepted so far (durably enqueued). */
  @Column({ name: 'lines_done', type: 'bigint', default: 0, transformer: bigintAsNumber })
  linesDone!: number;

  /** Set when the file is done. */
  @Column({ name: 'lines_total', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  linesTotal!: number | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The user who uploaded the file; null when an API key did. */
  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
