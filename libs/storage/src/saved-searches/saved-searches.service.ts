import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Principal } from '@app/auth';
import type { SavedSearch, SavedSearchFilters } from '@app/contracts';
import { Repository } from 'typeorm';
import { parseUserQuery } from '../analytics/analytics-request';
import { resolveTimeRange, TimeRangeError } from '../analytics/time-range';
import { SavedSearchEntity } from './saved-search.entity';
import type { CreateSavedSearchDto, UpdateSavedSearchDto } from './saved-searches.dto';

interface SavedSearchRow {
  id: string;
  owner_id: string;
  owner_username: string;
  name: string;
  query: string;
  filters: SavedSearchFilters;
  shared: boolean;
  created_at: Date;
  updated_at: Date;
}

const SELECT = `
  SELECT s.id, s.owner_id, u.username AS owner_username, s.name, s.query, s.filters, s.shared,
         s.created_at, s.updated_at
  FROM saved_searches s JOIN users u ON u.id = s.owner_id`;

/**
 * Saved searches: a user sees their own and the shared ones; only the owner changes or deletes
 * one. API keys (integrations, not people) see the shared ones and cannot write.
 */
@Injectable()
export class SavedSearchesService {
  constructor(
    @InjectRepository(SavedSearchEntity)
    private readonly searches: Repository<SavedSearchEntity>,
  ) {}

  async list(principal: Principal): Promise<SavedSearch[]> {
    const rows: SavedSearchRow[] = await this.searches.query(
      `${SELECT} WHERE s.shared OR s.owner_id = $1::uuid ORDER BY lower(s.name), s.id`,
      [userId(principal)],
    );
    return rows.map((row) => toSavedSearch(row, principal));
  }

  async get(principal: Principal, id: string): Promise<SavedSearch> {
    return toSavedSearch(await this.findVisible(principal, id), principal);
  }

  async create(principal: Principal, body: CreateSavedSearchDto): Promise<SavedSearch> {
    const ownerId = requireUser(principal);
    const query = checkQuery(body.query);
    const filters = checkFilters(body.filters);
    await this.ensureNameFree(ownerId, body.name);
    const saved = await this.searches
      .save(
        this.searches.create({
          ownerId,
          name: body.name,
          query,
          filters,
          shared: body.shared ?? false,
        }),
      )
      .catch(conflictOnDuplicate);
    return this.get(principal, saved.id);
  }

  async update(principal: Principal, id: string, body: UpdateSavedSearchDto): Promise<SavedSearch> {
    const entity = await this.findOwned(principal, id);
    if (body.name !== undefined && body.name !== entity.name)
      await this.ensureNameFree(entity.ownerId, body.name, id);
    Object.assign(entity, {
      name: body.name ?? entity.name,
      query: body.query === undefined ? entity.query : checkQuery(body.query),
      filters: body.filters === undefined ? entity.filters : checkFilters(body.filters),
      shared: body.shared ?? entity.shared,
    });
    await this.searches.save(entity).catch(conflictOnDuplicate);
    return this.get(principal, id);
  }

  async remove(principal: Principal, id: string): Promise<void> {
    await this.searches.delete({ id: (await this.findOwned(principal, id)).id });
  }

  private async findVisible(principal: Principal, id: string): Promise<SavedSearchRow> {
    const rows: SavedSearchRow[] = await this.searches.query(
      `${SELECT} WHERE s.id = $1::uuid AND (s.shared OR s.owner_id = $2::uuid)`,
      [id, userId(principal)],
    );
    if (!rows[0]) throw new NotFoundException(`No saved search with id ${id}`);
    return rows[0];
  }

  /** 403 for API keys and for searches of others that the caller can see (shared); else 404. */
  private async findOwned(principal: Principal, id: string): Promise<SavedSearchEntity> {
    const ownerId = requireUser(principal);
    const row = await this.findVisible(principal, id);
    if (row.owner_id !== ownerId) {
      throw new ForbiddenException(
        `Only the owner (${row.owner_username}) can change or delete this saved search`,
      );
    }
    const entity = await this.searches.findOneBy({ id });
    if (!entity) throw new NotFoundException(`No saved search with id ${id}`);
    return entity;
  }

  private async ensureNameFree(ownerId: string, name: string, exceptId?: string): Promise<void> {
    const existing = await this.searches.findOneBy({ ownerId, name });
    if (existing && existing.id !== exceptId)
      throw new ConflictException(`You have a saved search named "${name}" already`);
  }
}

function userId(principal: Principal): string | null {
  return principal.kind === 'user' ? principal.id : null;
}

function requireUser(principal: Principal): string {
  if (principal.kind !== 'user') {
    throw new ForbiddenException(
      'Saved searches belong to users: sign in with a user access token (an API key can only read shared searches)',
    );
  }
  return principal.id;
}

/** The query must parse (400 with its position otherwise); stored as written. */
function checkQuery(query: string | undefined): string {
  parseUserQuery(query);
  return query ?? '';
}

/** Both bounds must be understood, and from must come before to when both are given. */
function checkFilters(filters: SavedSearchFilters | undefined): SavedSearchFilters {
  const clean: SavedSearchFilters = {};
  if (!filters) return clean;
  if (filters.from !== undefined) clean.from = filters.from;
  if (filters.to !== undefined) clean.to = filters.to;
  if (filters.levels?.length) clean.levels = [...new Set(filters.levels)];
  if (filters.sources?.length) clean.sources = [...new Set(filters.sources)];
  if (clean.from !== undefined && clean.to !== undefined) {
    try {
      resolveTimeRange({ from: clean.from, to: clean.to }, new Date(), Number.POSITIVE_INFINITY);
    } catch (error) {
      if (error instanceof TimeRangeError)
        throw new BadRequestException(`filters: ${error.message}`);
      throw error;
    }
  }
  return clean;
}

function conflictOnDuplicate(error: { code?: string }): never {
  if (error.code === '23505') throw new ConflictException('You have a saved search with this name');
  throw error;
}

function toSavedSearch(row: SavedSearchRow, principal: Principal): SavedSearch {
  return {
    id: row.id,
    name: row.name,
    query: row.query,
    filters: row.filters,
    shared: row.shared,
    owner: { id: row.owner_id, username: row.owner_username },
    mine: principal.kind === 'user' && principal.id === row.owner_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
