import type { TemplateParts } from '@app/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** A place notifications go: an email channel or a webhook (table notification_channels). */
@Entity({ name: 'notification_channels' })
export class ChannelEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ type: 'boolean' })
  enabled!: boolean;

  /** Severities routed here when a rule names no channel. */
  @Column({ type: 'text', array: true })
  severities!: string[];

  /** A built-in template id or a notification_templates id; null: the type's default. */
  @Column({ name: 'template_id', type: 'text', nullable: true })
  templateId!: string | null;

  @Column({ type: 'jsonb' })
  settings!: Record<string, unknown>;

  /** Never leaves the server through the API. */
  @Column({ type: 'jsonb' })
  secrets!: Record<string, unknown>;

  @Column({ name: 'rate_limit_max', type: 'integer', nullable: true })
  rateLimitMax!: number | null;

  @Column({ name: 'rate_limit_window_seconds', type: 'integer' })
  rateLimitWindowSeconds!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** An e-mail address that receives alert mail (table notification_recipients). */
@Entity({ name: 'notification_recipients' })
export class RecipientEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A user-defined message template (table notification_templates); built-ins live in code. */
@Entity({ name: 'notification_templates' })
export class TemplateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'channel_type', type: 'text' })
  channelType!: string;

  @Column({ name: 'content_type', type: 'text', nullable: true })
  contentType!: string | null;

  @Column({ name: 'time_zone', type: 'text' })
  timeZone!: string;

  @Column({ type: 'jsonb' })
  firing!: TemplateParts;

  @Column({ type: 'jsonb' })
  resolved!: TemplateParts;

  @Column({ type: 'jsonb', nullable: true })
  summary!: TemplateParts | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
