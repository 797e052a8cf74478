import type { UploadProgress } from '@app/contracts';
import type { MultipartFile } from '@fastify/multipart';
import {
  BadRequestException,
  BeforeApplicationShutdown,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import { RedisService } from '@app/queue';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { finished, pipeline } from 'node:stream/promises';
import { In, Repository } from 'typeorm';
import { toUploadProgress } from './upload.dto';
import { UploadEntity } from './upload.entity';
import { UploadProcessor } from './upload-processor';

/** Extensions accepted, lower case; `.gz` is gunzipped while it is read. */
const EXTENSIONS = ['.log', '.txt', '.gz'];
const SOURCE_PATTERN = /^[\w.\-:/@]{1,128}$/;
/** Room for the multipart framing and small fields around the file, in the Content-Length check. */
const MULTIPART_OVERHEAD_BYTES = 1024 * 1024;
/** Uploads processed at once by one api process; the others wait as `pending`. */
const CONCURRENT_UPLOADS = 2;
/** An upload an api holds keeps a Redis key alive; one whose key expired was left by a dead api. */
const ALIVE_TTL_MS = 60_000;
const HEARTBEAT_EVERY_MS = 15_000;
/** Uploads whose api died are looked for at start and then this often. */
const SWEEP_EVERY_MS = 60_000;
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * Uploaded log files: received to UPLOAD_DIR, answered at once, processed in the background by
 * UploadProcessor. Uploads left unfinished by an api that died (no live heartbeat) are marked
 * failed at start and by a periodic sweep; resuming them is not supported.
 */
@Injectable()
export class UploadService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(UploadService.name);
  /** Uploads this process is responsible for (waiting or processing). */
  private readonly held = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly waitingForSlot: (() => void)[] = [];
  private active = 0;
  private stopping = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    @InjectRepository(UploadEntity) private readonly uploads: Repository<UploadEntity>,
    private readonly processor: UploadProcessor,
    private readonly redis: RedisService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.failAbandoned().catch((error: Error) =>
      this.logger.warn(`Could not look for abandoned uploads: ${error.message}`),
    );
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), HEARTBEAT_EVERY_MS).unref();
    this.sweepTimer = setInterval(
      () => void this.failAbandoned().catch(() => undefined),
      SWEEP_EVERY_MS,
    ).unref();
  }

  /** Stops taking lines from files, marks the unfinished uploads failed, and waits for that. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.sweepTimer);
    for (const wake of this.waitingForSlot.splice(0)) wake();
    await Promise.race([
      Promise.allSettled([...this.running]),
      new Promise((resolve) => setTimeout(resolve, SHUTDOWN_WAIT_MS).unref()),
    ]);
  }

  /** Receives a multipart upload (one `file` field, optional `source`) and starts processing it. */
  async receive(request: FastifyRequest, createdBy: string | null): Promise<UploadProgress> {
    if (!request.isMultipart()) {
      throw new UnsupportedMediaTypeException(
        'Send the file as multipart/form-data in a field named "file" (curl -F file=@app.log)',
      );
    }
    const declared = Number(request.headers['content-length']);
    if (declared > this.config.uploadMaxBytes + MULTIPART_OVERHEAD_BYTES) throw this.tooLarge();

    const id = randomUUID();
    await mkdir(this.config.uploadDir, { recursive: true });
    const fields: Record<string, string> = {};
    let saved: { filename: string; path: string; bytes: number; gzip: boolean } | undefined;
    let writing: string | undefined;
    let problem: HttpException | undefined;
    try {
      for await (const part of request.parts()) {
        if (part.type === 'field') {
          fields[part.fieldname] = String(part.value);
          continue;
        }
        const extension = EXTENSIONS.find((ext) => part.filename.toLowerCase().endsWith(ext));
        if (problem || saved || part.fieldname !== 'file' || !extension) {
          problem ??= partProblem(part, saved !== undefined);
          await drain(part);
          continue;
        }
        writing = join(this.config.uploadDir, `${id}${extension}`);
        const bytes = await save(part, writing);
        if (part.file.truncated) {
          problem = this.tooLarge();
          continue;
        }
        saved = {
          filename: basename(part.filename).slice(0, 255),
          path: writing,
          bytes,
          gzip: extension === '.gz',
        };
      }
    } catch (error) {
      if (writing) await rm(writing, { force: true });
      if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw this.tooLarge();
      throw error;
    }
    if (problem || !saved) {
      if (writing) await rm(writing, { force: true });
      throw (
        problem ??
        new BadRequestException('No file: send it as multipart/form-data in a field named "file"')
      );
    }
    const source = fields.source?.trim() || 'upload';
    if (!SOURCE_PATTERN.test(source)) {
      await rm(saved.path, { force: true });
      throw new BadRequestException(
        'source may hold letters, digits and . _ - : / @ (1 to 128 characters)',
      );
    }

    await this.hold(id);
    let upload: UploadEntity;
    try {
      upload = await this.uploads.save(
        this.uploads.create({
          id,
          filename: saved.filename,
          source,
          status: 'pending',
          totalBytes: saved.bytes,
          bytesDone: 0,
          linesDone: 0,
          linesTotal: null,
          error: null,
          createdBy,
          finishedAt: null,
        }),
      );
    } catch (error) {
      this.release(id);
      await rm(saved.path, { force: true });
      throw error;
    }
    this.start(upload, { path: saved.path, gzip: saved.gzip });
    return toUploadProgress(upload);
  }

  async get(id: string): Promise<UploadProgress> {
    const upload = await this.uploads.findOne({ where: { id } });
    if (!upload) throw new NotFoundException(`No upload with id ${id}`);
    return toUploadProgress(upload);
  }

  async list(limit = 50): Promise<UploadProgress[]> {
    const uploads = await this.uploads.find({ order: { createdAt: 'DESC' }, take: limit });
    return uploads.map(toUploadProgress);
  }

  /**
   * Marks failed the uploads left `pending` or `processing` by an api that stopped without
   * finishing them (a crash, a kill): no api holds them any more, so nothing would ever finish them.
   */
  async failAbandoned(): Promise<number> {
    const open = await this.uploads.find({
      select: { id: true },
      where: { status: In(['pending', 'processing']) },
    });
    const candidates = open.map((upload) => upload.id).filter((id) => !this.held.has(id));
    if (candidates.length === 0) return 0;
    const alive = await this.redis.client.mget(candidates.map((id) => this.aliveKey(id)));
    const abandoned = candidates.filter((_id, index) => alive[index] === null);
    if (abandoned.length === 0) return 0;
    const result = await this.uploads
      .createQueryBuilder()
      .update()
      .set({
        status: 'failed',
        finishedAt: () => 'now()',
        error: () =>
          `'Processing was interrupted: the api stopped (crash or restart) after ' || lines_done || ` +
          `' lines were accepted; those stay stored. Resuming is not supported: upload the rest of the file again.'`,
      })
      .where({ id: In(abandoned), status: In(['pending', 'processing']) })
      .execute();
    for (const id of abandoned) {
      for (const extension of EXTENSIONS) {
        await rm(join(this.config.uploadDir, `${id}${extension}`), { force: true }).catch(
          () => undefined,
        );
      }
    }
    if (result.affected) {
      this.logger.warn(
        `Marked ${result.affected} upload(s) left unfinished by a stopped api as failed`,
      );
    }
    return result.affected ?? 0;
  }

  private start(upload: UploadEntity, file: { path: string; gzip: boolean }): void {
    const run = (async () => {
      await this.slot();
      try {
        await this.processor.process(upload, file, () => this.stopping);
      } finally {
        this.active--;
        this.waitingForSlot.shift()?.();
        this.release(upload.id);
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async slot(): Promise<void> {
    while (this.active >= CONCURRENT_UPLOADS && !this.stopping) {
      await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    }
    this.active++;
  }

  private aliveKey(id: string): string {
    return this.redis.key(`upload-alive:${id}`);
  }

  private async hold(id: string): Promise<void> {
    this.held.add(id);
    await this.redis.client
      .set(this.aliveKey(id), '1', 'PX', ALIVE_TTL_MS)
      .catch((error: Error) => this.logger.warn(`Upload heartbeat: ${error.message}`));
  }

  private release(id: string): void {
    this.held.delete(id);
    void this.redis.client.del(this.aliveKey(id)).catch(() => undefined);
  }

  private async heartbeat(): Promise<void> {
    if (this.held.size === 0) return;
    const pipeline = this.redis.client.pipeline();
    for (const id of this.held) pipeline.set(this.aliveKey(id), '1', 'PX', ALIVE_TTL_MS);
    await pipeline
      .exec()
      .catch((error: Error) => this.logger.warn(`Upload heartbeat: ${error.message}`));
  }

  private tooLarge(): PayloadTooLargeException {
    return new PayloadTooLargeException(
      `The file is larger than the upload limit of ${this.config.uploadMaxBytes} bytes (UPLOAD_MAX_BYTES)`,
    );
  }
}

function partProblem(part: MultipartFile, alreadyHaveFile: boolean): HttpException {
  if (alreadyHaveFile) return new BadRequestException('Send exactly one file per upload');
  if (part.fieldname !== 'file') {
    return new BadRequestException(
      `Send the file in a field named "file" (got a file in "${part.fieldname}")`,
    );
  }
  return new BadRequestException(
    `"${part.filename}" is not accepted: upload a .log, .txt or .gz file`,
  );
}

/** Reads a refused file to the end (so the request completes and the answer reaches the client). */
async function drain(part: MultipartFile): Promise<void> {
  await finished(part.file.resume()).catch(() => undefined);
}

/** Writes the file to `path`; returns its size. */
async function save(part: MultipartFile, path: string): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  await pipeline(part.file, out);
  return out.bytesWritten;
}
