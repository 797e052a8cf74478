import type { SavedSearchFilters } from '@app/contracts';
import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** A named query with its filters, owned by a user and optionally shared with everyone. */
@Entity({ name: 'saved_searches' })
export class SavedSearchEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** users.id; the row goes when its owner does (ON DELETE CASCADE). */
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  @Column({ type: 'text' })
  name!: string;

  /** Query-language text; '' matches everything. */
  @Column({ type: 'text' })
  query!: string;

  @Column({ type: 'jsonb' })
  filters!: SavedSearchFilters;

  @Column({ type: 'boolean' })
  shared!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
