import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Holds notifications back for [startsAt, endsAt): one rule or all, groups matching `matchers`. */
@Entity({ name: 'silences' })
export class SilenceEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Null: every rule. */
  @Column({ name: 'rule_id', type: 'uuid', nullable: true })
  ruleId!: string | null;

  /** Group field → value, `*` matching any run of characters; {} matches every group. */
  @Column({ type: 'jsonb' })
  matchers!: Record<string, string>;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz' })
  endsAt!: Date;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
