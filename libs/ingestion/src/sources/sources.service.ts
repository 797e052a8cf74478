import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { Repository } from 'typeorm';
import { validateSourceSettings } from './file-source-settings';
import { SourceEntity } from './source.entity';
import type { CreateSourceDto, SourceDto, UpdateSourceDto } from './sources.dto';

/** Configured sources, persisted; tells listeners (the file tail manager) when they change. */
@Injectable()
export class SourcesService {
  /** Emits `changed` after every create, update and delete. */
  readonly events = new EventEmitter();

  constructor(@InjectRepository(SourceEntity) private readonly sources: Repository<SourceEntity>) {}

  async list(): Promise<SourceDto[]> {
    const sources = await this.sources.find({ order: { name: 'ASC' } });
    return Promise.all(sources.map((source) => this.toDto(source)));
  }

  async get(id: string): Promise<SourceDto> {
    return this.toDto(await this.find(id));
  }

  async enabledOfType(type: SourceEntity['type']): Promise<SourceEntity[]> {
    return this.sources.find({ where: { type, enabled: true } });
  }

  /** Stored file positions of a file source (where a restart resumes). */
  async fileOffsets(
    sourceId: string,
  ): Promise<{ fileKey: string; path: string; offset: number }[]> {
    const rows: { file_key: string; path: string; byte_offset: string }[] =
      await this.sources.query(
        'SELECT file_key, path, byte_offset FROM file_offsets WHERE source_id = $1 AND byte_offset >= 0',
        [sourceId],
      );
    return rows.map((row) => ({
      fileKey: row.file_key,
      path: row.path,
      offset: Number(row.byte_offset),
    }));
  }

  /** Saves positions that no stored line carries (never moves a position backwards). */
  async saveFileOffsets(
    sourceId: string,
    offsets: { fileKey: string; path: string; offset: number }[],
  ): Promise<void> {
    await this.sources.query(
      `INSERT INTO file_offsets (source_id, file_key, path, byte_offset)
       SELECT $1, f.file_key, f.path, f.byte_offset
         FROM unnest($2::text[], $3::text[], $4::bigint[]) AS f(file_key, path, byte_offset)
        WHERE EXISTS (SELECT 1 FROM sources WHERE id = $1)
       ON CONFLICT (source_id, file_key) DO UPDATE
         SET byte_offset = GREATEST(file_offsets.byte_offset, excluded.byte_offset), updated_at = now()`,
      [
        sourceId,
        offsets.map((o) => o.fileKey),
        offsets.map((o) => o.path),
        offsets.map((o) => o.offset),
      ],
    );
  }

  async create(body: CreateSourceDto): Promise<SourceDto> {
    const settings = this.checkSettings(body.type, body.settings);
    if (await this.sources.exists({ where: { name: body.name } })) {
      throw new ConflictException(`A source named "${body.name}" exists already`);
    }
    const saved = await this.sources.save(
      this.sources.create({
        name: body.name,
        type: body.type,
        settings,
        enabled: body.enabled ?? true,
      }),
    );
    this.events.emit('changed');
    return this.toDto(saved);
  }

  async update(id: string, body: UpdateSourceDto): Promise<SourceDto> {
    const source = await this.find(id);
    if (body.name !== undefined && body.name !== source.name) {
      if (await this.sources.exists({ where: { name: body.name } })) {
        throw new ConflictException(`A source named "${body.name}" exists already`);
      }
      source.name = body.name;
    }
    if (body.type !== undefined) source.type = body.type;
    if (body.settings !== undefined || body.type !== undefined) {
      source.settings = this.checkSettings(source.type, body.settings ?? source.settings);
    }
    if (body.enabled !== undefined) source.enabled = body.enabled;
    const saved = await this.sources.save(source);
    this.events.emit('changed');
    return this.toDto(saved);
  }

  async remove(id: string): Promise<void> {
    const source = await this.find(id);
    await this.sources.remove(source);
    this.events.emit('changed');
  }

  private async find(id: string): Promise<SourceEntity> {
    const source = await this.sources.findOne({ where: { id } });
    if (!source) throw new NotFoundException(`No source with id ${id}`);
    return source;
  }

  private checkSettings(type: string, settings: unknown): Record<string, unknown> {
    const checked = validateSourceSettings(type, settings);
    if (checked.problems.length > 0) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: checked.problems,
      });
    }
    return checked.settings;
  }

  private async toDto(source: SourceEntity): Promise<SourceDto> {
    const dto: SourceDto = {
      id: source.id,
      name: source.name,
      type: source.type,
      settings: source.settings,
      enabled: source.enabled,
      createdAt: source.createdAt.toISOString(),
      updatedAt: source.updatedAt.toISOString(),
    };
    if (source.type === 'file') {
      dto.files = (await this.fileOffsets(source.id)).map((file) => ({
        path: file.path,
        storedOffset: file.offset,
        size: sizeOf(file.path),
      }));
    }
    return dto;
  }
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}
