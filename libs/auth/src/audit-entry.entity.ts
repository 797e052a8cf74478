import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One configuration change: who, when, what, and the object before and after. */
@Entity({ name: 'audit_log' })
export class AuditEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  /** `user` or `api-key`. */
  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: string;

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  /** Username or key name at the time of the change. */
  @Column({ name: 'actor_name', type: 'text' })
  actorName!: string;

  /** `create`, `update`, `delete`, or a verb of the feature (`revoke`, `acknowledge`…). */
  @Column({ type: 'text' })
  action!: string;

  /** What kind of object changed: `alert-rule`, `channel`, `retention-policy`… */
  @Column({ name: 'entity_type', type: 'text' })
  entityType!: string;

  @Column({ name: 'entity_id', type: 'text', nullable: true })
  entityId!: string | null;

  /** The object before the change (secrets removed); null for a creation. */
  @Column({ type: 'jsonb', nullable: true })
  before!: object | null;

  /** The object after the change (secrets removed); null for a deletion. */
  @Column({ type: 'jsonb', nullable: true })
  after!: object | null;
}
