import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { levelName } from '@app/contracts';
import { formatTimestamp } from '@app/storage';
import { isValidTimeZone, type ParsedLog, type PipelineStep } from '@app/parsing';
import { RedisService } from '@app/queue';
import { Repository } from 'typeorm';
import { compileSourcePipeline } from './pipeline-compiler';
import { PIPELINES_CHANGED_CHANNEL } from './pipeline-registry.service';
import { GrokPatternEntity, PipelineEntity, loadCustomPatterns } from './pipeline.entity';
import type {
  CreatePipelineDto,
  GrokPatternDto,
  ParserTestDto,
  ParserTestLineDto,
  PipelineDto,
  UpdatePipelineDto,
} from './pipelines.dto';

/** Pipelines and grok patterns: validated by compiling them, announced to workers on change. */
@Injectable()
export class PipelinesService {
  constructor(
    @InjectRepository(PipelineEntity) private readonly pipelines: Repository<PipelineEntity>,
    @InjectRepository(GrokPatternEntity) private readonly patterns: Repository<GrokPatternEntity>,
    private readonly redis: RedisService,
  ) {}

  async list(): Promise<PipelineDto[]> {
    return (await this.pipelines.find({ order: { name: 'ASC' } })).map(toDto);
  }

  async get(id: string): Promise<PipelineDto> {
    return toDto(await this.find(id));
  }

  async create(body: CreatePipelineDto): Promise<PipelineDto> {
    await this.check(body.steps as unknown as PipelineStep[], body.timeZone ?? null);
    for (const [column, value] of [
      ['name', body.name],
      ['source', body.source],
    ] as const) {
      if (await this.pipelines.exists({ where: { [column]: value } })) {
        throw new ConflictException(`A pipeline with ${column} "${value}" exists already`);
      }
    }
    const saved = await this.pipelines.save(
      this.pipelines.create({
        name: body.name,
        source: body.source,
        steps: body.steps as unknown as PipelineStep[],
        timeZone: body.timeZone ?? null,
        enabled: body.enabled ?? true,
      }),
    );
    await this.announce();
    return toDto(saved);
  }

  async update(id: string, body: UpdatePipelineDto): Promise<PipelineDto> {
    const pipeline = await this.find(id);
    const steps = (body.steps as unknown as PipelineStep[] | undefined) ?? pipeline.steps;
    const timeZone = body.timeZone === undefined ? pipeline.timeZone : body.timeZone;
    await this.check(steps, timeZone);
    Object.assign(pipeline, {
      name: body.name ?? pipeline.name,
      source: body.source ?? pipeline.source,
      steps,
      timeZone,
      enabled: body.enabled ?? pipeline.enabled,
    });
    const saved = await this.pipelines.save(pipeline).catch((error: { code?: string }) => {
      if (error.code === '23505')
        throw new ConflictException('Another pipeline has this name or source');
      throw error;
    });
    await this.announce();
    return toDto(saved);
  }

  async remove(id: string): Promise<void> {
    await this.pipelines.remove(await this.find(id));
    await this.announce();
  }

  async listPatterns(): Promise<GrokPatternDto[]> {
    const rows = await this.patterns.find({ order: { name: 'ASC' } });
    return rows.map((row) => ({
      name: row.name,
      pattern: row.pattern,
      description: row.description,
    }));
  }

  /** Creates or replaces a named pattern; refused if it (or a pipeline using it) no longer compiles. */
  async savePattern(body: GrokPatternDto): Promise<GrokPatternDto> {
    const custom = { ...(await loadCustomPatterns(this.patterns)), [body.name]: body.pattern };
    this.compileOrThrow(
      [{ type: 'parse', pattern: `%{${body.name}}` } as PipelineStep],
      custom,
      null,
      'pattern',
    );
    await this.patterns.save({
      name: body.name,
      pattern: body.pattern,
      description: body.description ?? null,
    });
    await this.announce();
    return { name: body.name, pattern: body.pattern, description: body.description ?? null };
  }

  async removePattern(name: string): Promise<void> {
    const result = await this.patterns.delete({ name });
    if (!result.affected) throw new NotFoundException(`No pattern named ${name}`);
    await this.announce();
  }

  /** The playground: runs sample lines through a format, a pattern or a whole pipeline. */
  async test(body: ParserTestDto): Promise<ParserTestLineDto[]> {
    const given = [body.format, body.pattern, body.steps].filter(
      (item) => item !== undefined,
    ).length;
    if (given > 1)
      throw new BadRequestException(
        'Give one of format, pattern or steps (or none to auto-detect)',
      );
    const steps: PipelineStep[] = body.steps
      ? (body.steps as unknown as PipelineStep[])
      : body.format
        ? [{ type: 'parse', format: body.format } as PipelineStep]
        : body.pattern
          ? [{ type: 'parse', pattern: body.pattern } as PipelineStep]
          : [];
    if (body.timeZone && !isValidTimeZone(body.timeZone)) {
      throw new BadRequestException(`timeZone "${body.timeZone}" is not a known zone or offset`);
    }
    const pipeline = this.compileOrThrow(
      steps,
      await loadCustomPatterns(this.patterns),
      body.timeZone ?? null,
    );
    const receivedAt = Date.now();
    return body.lines.map((line, index) => {
      const started = process.hrtime.bigint();
      const run = pipeline.run(line, { receivedAt });
      const micros = Number(process.hrtime.bigint() - started) / 1000;
      return {
        line: index + 1,
        matched: run.matched,
        kept: run.parsed !== null,
        result: run.parsed ? present(run.parsed) : null,
        errors: run.errors,
        steps: run.steps as unknown as Record<string, unknown>[],
        micros: Math.round(micros * 10) / 10,
      };
    });
  }

  private async check(steps: PipelineStep[], timeZone: string | null): Promise<void> {
    if (timeZone && !isValidTimeZone(timeZone)) {
      throw new BadRequestException(`timeZone "${timeZone}" is not a known zone or offset`);
    }
    this.compileOrThrow(steps, await loadCustomPatterns(this.patterns), timeZone);
  }

  private compileOrThrow(
    steps: PipelineStep[],
    custom: Record<string, string>,
    timeZone: string | null,
    what = 'steps',
  ) {
    try {
      return compileSourcePipeline(steps, custom, timeZone);
    } catch (error) {
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: `${what}: ${(error as Error).message}`,
      });
    }
  }

  private async find(id: string): Promise<PipelineEntity> {
    const pipeline = await this.pipelines.findOne({ where: { id } });
    if (!pipeline) throw new NotFoundException(`No pipeline with id ${id}`);
    return pipeline;
  }

  /** Tells running workers to reload (they also reload every 30 s). */
  private async announce(): Promise<void> {
    await this.redis.client.publish(this.redis.key(PIPELINES_CHANGED_CHANNEL), String(Date.now()));
  }
}

function toDto(pipeline: PipelineEntity): PipelineDto {
  return {
    id: pipeline.id,
    name: pipeline.name,
    source: pipeline.source,
    steps: pipeline.steps as unknown as Record<string, unknown>[],
    timeZone: pipeline.timeZone,
    enabled: pipeline.enabled,
    updatedAt: pipeline.updatedAt.toISOString(),
  };
}

/** A parsed line as it would be stored and shown by the search API. */
function present(parsed: ParsedLog): Record<string, unknown> {
  return {
    ts: formatTimestamp(parsed.ts),
    level: levelName(parsed.level),
    host: parsed.host,
    message: parsed.message,
    statusCode: parsed.statusCode,
    method: parsed.method,
    path: parsed.path,
    latencyMs: parsed.latencyMs,
    fields: parsed.fields,
    parseError: parsed.parseError,
  };
}
