import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AlertDetail, AlertListResponse } from '@app/contracts';
import { AuditService, type Principal } from '@app/auth';
import { DataSource } from 'typeorm';
import { toAlert, toTransition, type AlertRow, type TransitionRow } from '../model/alert-rows';
import { decodeGroupKey } from '../rules/group-by';
import type { AlertListQueryDto } from './alerts.dto';

/** Alert history (every alert, newest first) and acknowledgement. */
@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(query: AlertListQueryDto): Promise<AlertListResponse> {
    const params: unknown[] = [];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    if (query.ruleId) where.push(`rule_id = ${param(query.ruleId)}::uuid`);
    if (query.state === 'open') where.push(`state <> 'resolved'`);
    else if (query.state) where.push(`state = ${param(query.state)}`);
    if (query.severity) where.push(`severity = ${param(query.severity)}`);
    if (query.group)
      where.push(`group_values @> ${param(JSON.stringify(groupFilter(query.group)))}::jsonb`);
    if (query.to) where.push(`started_at < ${param(query.to)}::timestamptz`);
    if (query.from)
      where.push(`(resolved_at IS NULL OR resolved_at >= ${param(query.from)}::timestamptz)`);
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor);
      where.push(`(started_at, id) < (${param(at)}::timestamptz, ${param(id)}::uuid)`);
    }
    const limit = query.limit ?? 100;
    const rows: AlertRow[] = await this.dataSource.query(
      `SELECT * FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY started_at DESC, id DESC LIMIT ${limit + 1}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toAlert),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    };
  }

  async get(id: string): Promise<AlertDetail> {
    const row = await this.find(id);
    const transitions: TransitionRow[] = await this.dataSource.query(
      `SELECT * FROM alert_transitions WHERE alert_id = $1 ORDER BY at, id`,
      [id],
    );
    const latestWithSamples = [...transitions]
      .reverse()
      .find((transition) => transition.samples.length > 0);
    return {
      ...toAlert(row),
      transitions: transitions.map(toTransition),
      samples: latestWithSamples?.samples ?? [],
    };
  }

  /** Records who acknowledged an alert; its repeat notifications stop. */
  async acknowledge(
    id: string,
    comment: string | undefined,
    principal: Principal,
  ): Promise<AlertDetail> {
    const who = principal.kind === 'user' ? principal.username : `api-key:${principal.name}`;
    // In a CTE: TypeORM returns [rows, count] for a bare UPDATE.
    const rows: AlertRow[] = await this.dataSource.query(
      `WITH acknowledged AS (
         UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $2, acknowledge_comment = $3,
                updated_at = now()
          WHERE id = $1 AND acknowledged_at IS NULL RETURNING *)
       SELECT * FROM acknowledged`,
      [id, who, comment ?? null],
    );
    if (rows.length === 0) {
      const existing = await this.find(id);
      throw new ConflictException(
        `The alert was acknowledged by ${existing.acknowledged_by} at ${existing.acknowledged_at?.toISOString()}`,
      );
    }
    await this.audit.record(principal, {
      action: 'alert.acknowledge',
      entityType: 'alert',
      entityId: id,
      after: { acknowledgedBy: who, comment: comment ?? null },
    });
    return this.get(id);
  }

  private async find(id: string): Promise<AlertRow> {
    const rows: AlertRow[] = await this.dataSource.query(`SELECT * FROM alerts WHERE id = $1`, [
      id,
    ]);
    if (rows.length === 0) throw new NotFoundException(`No alert ${id}`);
    return rows[0];
  }
}

function groupFilter(text: string): Record<string, string> {
  try {
    if (!text.split(',').every((part) => part.indexOf('=') > 0)) throw new Error('no field');
    return decodeGroupKey(text);
  } catch {
    throw new BadRequestException(
      'group must be field=value pairs separated by commas: host=web-1,path=/api',
    );
  }
}

function encodeCursor(row: AlertRow): string {
  return Buffer.from(`${row.started_at.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id))
    throw new BadRequestException('cursor is not one this API gave out');
  return [at, id];
}
