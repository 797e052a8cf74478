import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { deleteRollups } from '@app/storage';
import { DataSource } from 'typeorm';

/** The oldest time a rollup can have: used when removed lines have no lower bound. */
const BEGINNING = new Date('0001-01-01T00:00:00Z');

/**
 * What must follow when retention removes lines: the per-minute rollups of the removed range (of
 * one source, for per-source deletes) go too, so histograms never count lines that are gone.
 */
@Injectable()
export class RemovedLines {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forget(range: { from: Date | null; to: Date; source?: string }): Promise<void> {
    await deleteRollups(this.dataSource, {
      from: range.from ?? BEGINNING,
      to: range.to,
      source: range.source,
    });
  }
}
