import type { RetentionRunProgress } from '@app/contracts';
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** bigint columns arrive as strings; these counters stay far below 2^53. */
const bigintAsNumber = {
  to: (value: number | null) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** The one policy row (id = 1). */
@Entity({ name: 'retention_policy' })
export class RetentionPolicyEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  @Column({ name: 'max_age_days', type: 'integer', nullable: true })
  maxAgeDays!: number | null;

  @Column({
    name: 'disk_budget_bytes',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  diskBudgetBytes!: number | null;

  @Column({ type: 'boolean' })
  archive!: boolean;

  @Column({ name: 'interval_minutes', type: 'integer' })
  intervalMinutes!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'retention_source_policies' })
export class RetentionSourcePolicyEntity {
  @PrimaryColumn({ type: 'text' })
  source!: string;

  @Column({ name: 'max_age_days', type: 'integer' })
  maxAgeDays!: number;
}

@Entity({ name: 'retention_runs' })
export class RetentionRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  trigger!: 'schedule' | 'manual' | 'budget';

  @Column({ name: 'requested_by', type: 'text', nullable: true })
  requestedBy!: string | null;

  @Column({ type: 'text' })
  status!: 'running' | 'done' | 'failed' | 'interrupted';

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'jsonb' })
  progress!: RetentionRunProgress;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({
    name: 'total_bytes_after',
    type: 'bigint',
    nullable: true,
    transformer: bigintAsNumber,
  })
  totalBytesAfter!: number | null;
}

@Entity({ name: 'retention_actions' })
export class RetentionActionEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'run_id', type: 'uuid', nullable: true })
  runId!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at!: Date;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ type: 'text', nullable: true })
  partition!: string | null;

  @Column({ type: 'text', nullable: true })
  source!: string | null;

  @Column({ name: 'range_from', type: 'timestamptz', nullable: true })
  rangeFrom!: Date | null;

  @Column({ name: 'range_to', type: 'timestamptz', nullable: true })
  rangeTo!: Date | null;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  rows!: number;

  @Column({ name: 'bytes_freed', type: 'bigint', transformer: bigintAsNumber })
  bytesFreed!: number;

  @Column({ name: 'archive_path', type: 'text', nullable: true })
  archivePath!: string | null;

  @Column({ name: 'duration_ms', type: 'integer' })
  durationMs!: number;
}

@Entity({ name: 'retention_archive_imports' })
export class RetentionArchiveImportEntity {
  @PrimaryColumn({ name: 'archive_id', type: 'text' })
  archiveId!: string;

  @Column({ name: 'imported_at', type: 'timestamptz' })
  importedAt!: Date;
}

export const RETENTION_ENTITIES = [
  RetentionPolicyEntity,
  RetentionSourcePolicyEntity,
  RetentionRunEntity,
  RetentionActionEntity,
  RetentionArchiveImportEntity,
];
