import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Small pieces of installation state, such as the generated token-signing secret. */
@Entity({ name: 'settings' })
export class SettingEntity {
  @PrimaryColumn({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  value!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
