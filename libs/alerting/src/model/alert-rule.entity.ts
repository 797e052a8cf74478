import type { AlertRuleType, AlertSeverity } from '@app/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** An alert rule: a query, a type with its settings, and where its alerts go. */
@Entity({ name: 'alert_rules' })
export class AlertRuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  /** Query-language text; '' matches every line. */
  @Column({ type: 'text' })
  query!: string;

  @Column({ type: 'text' })
  type!: AlertRuleType;

  @Column({ type: 'text' })
  severity!: AlertSeverity;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  @Column({ name: 'group_by', type: 'text', array: true })
  groupBy!: string[];

  @Column({ name: 'for_seconds', type: 'integer' })
  forSeconds!: number;

  @Column({ name: 'repeat_interval_seconds', type: 'integer' })
  repeatIntervalSeconds!: number;

  @Column({ name: 'sample_size', type: 'integer' })
  sampleSize!: number;

  @Column({ name: 'channel_ids', type: 'uuid', array: true })
  channelIds!: string[];

  @Column({ type: 'text', array: true })
  recipients!: string[];

  /** Type-specific settings, defaults filled in. */
  @Column({ type: 'jsonb' })
  settings!: Record<string, unknown>;

  /** Increases when what is evaluated changes; state in Redis is per revision. */
  @Column({ type: 'integer' })
  revision!: number;

  @Column({ name: 'revised_at', type: 'timestamptz' })
  revisedAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
