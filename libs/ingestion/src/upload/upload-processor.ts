import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LOOKOUT_CONFIG, type LookoutConfig } from '@app/config';
import type { RawLine } from '@app/queue';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { In, Repository } from 'typeorm';
import { IngestService } from '../ingest.service';
import { QueueFullException } from '../queue-full.exception';
import { LineSplitter, type SplitLine } from './line-splitter';
import { UploadEntity } from './upload.entity';

/** Lines per call to the ingest entrance (one queue batch at the default BATCH_MAX_LINES). */
export const UPLOAD_CHUNK_LINES = 5000;
/** Progress is written to the row at most this often. */
const PROGRESS_EVERY_MS = 500;

export interface UploadFile {
  path: string;
  gzip: boolean;
}

/** Enqueueing failed (Redis unreachable): not the file's fault. */
class EnqueueError extends Error {}
/** The api is shutting down. */
class StoppedError extends Error {}

/**
 * Reads one uploaded file into the pipeline, in the api process: stream (gunzip for .gz), cut into
 * lines, hand them to IngestService 5000 at a time, awaiting each so a full queue slows the reading
 * (and waiting while the queue is above its high-water mark), with the progress in the row.
 */
@Injectable()
export class UploadProcessor {
  private readonly logger = new Logger(UploadProcessor.name);

  constructor(
    @InjectRepository(UploadEntity) private readonly uploads: Repository<UploadEntity>,
    private readonly ingest: IngestService,
    @Inject(LOOKOUT_CONFIG) private readonly config: LookoutConfig,
  ) {}

  /** Never throws: the outcome is in the row (done, or failed with the reason). Deletes the file. */
  async process(upload: UploadEntity, file: UploadFile, stopping: () => boolean): Promise<void> {
    const progress = { bytes: 0, lines: 0, writtenAt: 0 };
    try {
      if (stopping()) throw new StoppedError();
      const started = await this.uploads.update(
        { id: upload.id, status: 'pending' },
        { status: 'processing' },
      );
      if (started.affected === 0) return; // marked failed meanwhile (see UploadService.failAbandoned)
      await this.readLines(upload, file, progress, stopping);
      const result = await this.uploads.update(
        { id: upload.id, status: 'processing' },
        {
          status: 'done',
          bytesDone: progress.bytes,
          linesDone: progress.lines,
          linesTotal: progress.lines,
          finishedAt: new Date(),
        },
      );
      if (result.affected === 0) {
        this.logger.warn(`Upload ${upload.id} finished after it had been marked failed`);
      }
    } catch (error) {
      const reason = failureReason(error, progress.lines);
      this.logger.warn(`Upload ${upload.id} (${upload.filename}) failed: ${reason}`);
      await this.uploads
        .update(
          { id: upload.id, status: In(['pending', 'processing']) },
          {
            status: 'failed',
            error: reason,
            bytesDone: progress.bytes,
            linesDone: progress.lines,
            finishedAt: new Date(),
          },
        )
        .catch((updateError: Error) =>
          this.logger.error(
            `Could not record the failure of upload ${upload.id}: ${updateError.message}`,
          ),
        );
    } finally {
      await rm(file.path, { force: true }).catch(() => undefined);
    }
  }

  private async readLines(
    upload: UploadEntity,
    file: UploadFile,
    progress: { bytes: number; lines: number; writtenAt: number },
    stopping: () => boolean,
  ): Promise<void> {
    const countBytes = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        progress.bytes += chunk.length;
        done(null, chunk);
      },
    });
    const splitter = new LineSplitter(this.config.maxLineLength);
    const pending: SplitLine[] = [];
    const sendFull = async () => {
      while (pending.length >= UPLOAD_CHUNK_LINES) {
        await this.send(upload, pending.splice(0, UPLOAD_CHUNK_LINES), progress, stopping);
      }
    };
    try {
      const consume = async (source: AsyncIterable<Buffer>) => {
        for await (const chunk of source) {
          for (const line of splitter.push(chunk)) pending.push(line);
          await sendFull();
        }
      };
      const input = createReadStream(file.path);
      if (file.gzip) await pipeline(input, countBytes, createGunzip(), consume);
      else await pipeline(input, countBytes, consume);
      pending.push(...splitter.end());
    } catch (error) {
      if (error instanceof EnqueueError || error instanceof StoppedError) throw error;
      // A read error (corrupt gzip, disk): the complete lines read before it are still good.
      await this.sendAll(upload, pending, progress, stopping);
      throw error;
    }
    await this.sendAll(upload, pending, progress, stopping);
  }

  private async sendAll(
    upload: UploadEntity,
    lines: SplitLine[],
    progress: { bytes: number; lines: number; writtenAt: number },
    stopping: () => boolean,
  ): Promise<void> {
    for (let start = 0; start < lines.length; start += UPLOAD_CHUNK_LINES) {
      await this.send(upload, lines.slice(start, start + UPLOAD_CHUNK_LINES), progress, stopping);
    }
  }

  private async send(
    upload: UploadEntity,
    lines: SplitLine[],
    progress: { bytes: number; lines: number; writtenAt: number },
    stopping: () => boolean,
  ): Promise<void> {
    await this.waitForCapacity(stopping);
    const receivedAt = Date.now();
    const raw: RawLine[] = lines.map((line) => {
      const rawLine: RawLine = { raw: line.text, receivedAt, source: upload.source };
      if (line.truncatedFrom !== undefined) rawLine.truncatedFrom = line.truncatedFrom;
      return rawLine;
    });
    try {
      await this.ingest.acceptLines(raw);
    } catch (error) {
      throw new EnqueueError((error as Error).message);
    }
    progress.lines += lines.length;
    if (Date.now() - progress.writtenAt >= PROGRESS_EVERY_MS) {
      progress.writtenAt = Date.now();
      await this.uploads.update(
        { id: upload.id, status: 'processing' },
        { bytesDone: progress.bytes, linesDone: progress.lines },
      );
    }
  }

  /** Under backpressure an upload waits rather than fails: it has all the time it needs. */
  private async waitForCapacity(stopping: () => boolean): Promise<void> {
    for (;;) {
      if (stopping()) throw new StoppedError();
      try {
        this.ingest.ensureCapacity();
        return;
      } catch (error) {
        if (!(error instanceof QueueFullException)) throw error;
        await sleep(error.retryAfterSeconds * 1000);
      }
    }
  }
}

function failureReason(error: unknown, linesAccepted: number): string {
  const accepted = `${linesAccepted} line${linesAccepted === 1 ? ' was' : 's were'} accepted before that and stay stored`;
  if (error instanceof StoppedError) {
    return `Processing was interrupted because the api shut down; ${accepted}. Resuming is not supported: upload the rest of the file again.`;
  }
  if (error instanceof EnqueueError) {
    return `Lines could not be queued (${error.message}); ${accepted}.`;
  }
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED') {
    return `The file is not valid gzip data (${message}); ${accepted}.`;
  }
  return `The file could not be read (${message}); ${accepted}.`;
}
