import type { PipelineStep } from '@app/parsing';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Repository,
} from 'typeorm';

@Entity({ name: 'pipelines' })
export class PipelineEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  /** Lines whose `source` is this go through the pipeline. */
  @Column({ type: 'text', unique: true })
  source!: string;

  @Column({ type: 'jsonb' })
  steps!: PipelineStep[];

  /** IANA zone or fixed offset for timestamps without a zone; null = UTC. */
  @Column({ name: 'time_zone', type: 'text', nullable: true })
  timeZone!: string | null;

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity({ name: 'grok_patterns' })
export class GrokPatternEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  pattern!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** The user's named grok patterns, as the pattern compiler takes them. */
export async function loadCustomPatterns(
  patterns: Repository<GrokPatternEntity>,
): Promise<Record<string, string>> {
  const rows = await patterns.find();
  return Object.fromEntries(rows.map((row) => [row.name, row.pattern]));
}
