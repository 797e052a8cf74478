import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AuditEntry } from '@app/contracts';
import { LessThan, type FindOptionsWhere, type Repository } from 'typeorm';
import { AuditEntryEntity } from './audit-entry.entity';
import type { Principal } from './principal';

/** Keys whose values never reach the audit log, at any depth. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|credential/i;

export interface AuditChange {
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  /** Entries with a smaller id (older): keyset paging. */
  before?: string;
  limit?: number;
}

/**
 * The audit log of configuration changes. Every feature that changes configuration calls
 * `record` after the change succeeded, with the object before and after; secrets are masked here.
 */
@Injectable()
export class AuditService {
  constructor(
    @InjectRepository(AuditEntryEntity) private readonly entries: Repository<AuditEntryEntity>,
  ) {}

  async record(principal: Principal, change: AuditChange): Promise<void> {
    await this.entries.insert({
      actorKind: principal.kind,
      actorId: principal.id,
      actorName: principal.kind === 'user' ? principal.username : principal.name,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId ?? null,
      before: maskSecrets(change.before ?? null) as object | null,
      after: maskSecrets(change.after ?? null) as object | null,
    });
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const where: FindOptionsWhere<AuditEntryEntity> = {};
    if (query.entityType) where.entityType = query.entityType;
    if (query.entityId) where.entityId = query.entityId;
    if (query.actorId) where.actorId = query.actorId;
    if (query.before) where.id = LessThan(query.before);
    const rows = await this.entries.find({
      where,
      order: { id: 'DESC' },
      take: Math.min(Math.max(query.limit ?? 100, 1), 1000),
    });
    return rows.map((row) => ({
      id: row.id,
      at: row.at.toISOString(),
      actor: {
        kind: row.actorKind as AuditEntry['actor']['kind'],
        id: row.actorId,
        name: row.actorName,
      },
      action: row.action,
      entityType: row.entityType,
      entityId: row.entityId,
      before: row.before ?? null,
      after: row.after ?? null,
    }));
  }
}

/** A deep copy with every secret-looking key's value replaced by "***". */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, inner]) => [
        key,
        SECRET_KEY.test(key) && inner !== null && inner !== undefined && inner !== ''
          ? '***'
          : maskSecrets(inner),
      ]),
    );
  }
  return value;
}
