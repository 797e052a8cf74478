import { Injectable, Logger } from '@nestjs/common';
import {
  PIPELINE_STATS_KEY,
  RedisService,
  STORED_BATCH_CHANNEL,
  StoredBatchBus,
  type RawBatchPayload,
  type RawLine,
} from '@app/queue';
import { LogWriter, type NewLogRow } from '@app/storage';
import type { StoredBatchEvent } from '@app/contracts';
import { parseWithoutPipeline } from './pipelines/pipeline-compiler';
import { PipelineRegistry } from './pipelines/pipeline-registry.service';

export interface StoreOutcome {
  stored: boolean;
  lines: number;
  /** CPU time spent parsing the batch's lines, in seconds. */
  parseSeconds: number;
  /** Time of the storing transaction (ledger, COPY of lines and rollups, commit), in seconds. */
  writeSeconds: number;
}

/** Worker step for one raw batch: parse every line, store the batch once, announce it. */
@Injectable()
export class RawBatchStoreService {
  private readonly logger = new Logger(RawBatchStoreService.name);

  constructor(
    private readonly writer: LogWriter,
    private readonly redis: RedisService,
    private readonly pipelines: PipelineRegistry,
    private readonly storedBatches: StoredBatchBus,
  ) {}

  private listeners = { count: 0, checkedAt: 0 };

  /**
   * Whether any process subscribes to stored batches (live tail), asked at most once a second:
   * serialising every batch for nobody costs the worker about a tenth of its time.
   */
  private async anyoneListening(): Promise<boolean> {
    const now = Date.now();
    if (now - this.listeners.checkedAt > 1000) {
      const reply = (await this.redis.client.pubsub(
        'NUMSUB',
        this.redis.key(STORED_BATCH_CHANNEL),
      )) as [string, number];
      this.listeners = { count: Number(reply[1]), checkedAt: now };
    }
    return this.listeners.count > 0;
  }

  async storeBatch(payload: RawBatchPayload): Promise<StoreOutcome> {
    const tally: ParseTally = { dropped: 0 };
    const parseStarted = performance.now();
    const rows = payload.lines.map((line) => this.toRow(line, tally));
    const writeStarted = performance.now();
    const result = await this.writer.writeBatch(payload.batchId, rows);
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    // In-process stages of this worker (alert evaluation) see each committed batch once.
    if (result.stored && this.storedBatches.hasListeners) {
      await this.storedBatches.publish({ batchId: payload.batchId, logs: result.logs });
    }
    await this.announce(
      payload.batchId,
      result.stored,
      result.logs,
      result.stored ? tally : undefined,
    ).catch((error: Error) =>
      // The batch is committed; a missed announcement only costs live-tail viewers these lines.
      this.logger.warn(`Could not announce batch ${payload.batchId}: ${error.message}`),
    );
    return {
      stored: result.stored,
      lines: result.logs.length,
      parseSeconds: (writeStarted - parseStarted) / 1000,
      writeSeconds,
    };
  }

  /** Parses one line: with its source's pipeline if it has one, else by hint or auto-detect. */
  private toRow(line: RawLine, tally: ParseTally): NewLogRow {
    const context = { receivedAt: line.receivedAt, host: line.host };
    const pipeline = this.pipelines.forSource(line.source);
    const run = pipeline?.run(line.raw, context);
    const parsed = run ? run.parsed : parseWithoutPipeline(line.raw, context, line.format);
    // A pipeline's redactions apply to the stored raw line too.
    const raw = run ? run.raw : line.raw;
    if (parsed === null) {
      // Dropped by the pipeline; a file line still counts as read (its range is recorded).
      tally.dropped++;
      return {
        ...DISCARDED,
        receivedAt: line.receivedAt,
        source: line.source,
        raw: line.raw,
        checkpoint: line.checkpoint,
        discard: true,
      };
    }
    let parseError = parsed.parseError;
    if (line.truncatedFrom !== undefined) {
      const truncated = `line truncated from ${line.truncatedFrom} characters`;
      parseError = parseError ? `${truncated}; ${parseError}` : truncated;
    }
    // Built field by field rather than spread: this runs for every line.
    return {
      ts: line.eventTime ?? parsed.ts,
      receivedAt: line.receivedAt,
      level: parsed.level,
      source: line.source,
      host: parsed.host,
      message: parsed.message,
      raw,
      statusCode: parsed.statusCode,
      method: parsed.method,
      path: parsed.path,
      latencyMs: parsed.latencyMs,
      // Transport labels first, so the line's own fields win on a clash.
      fields: line.attributes ? { ...line.attributes, ...parsed.fields } : parsed.fields,
      parseError,
      checkpoint: line.checkpoint,
    };
  }

  private async announce(
    batchId: string,
    stored: boolean,
    logs: StoredBatchEvent['logs'],
    tally?: ParseTally,
  ): Promise<void> {
    const statsKey = this.redis.key(PIPELINE_STATS_KEY);
    const pipeline = this.redis.client.pipeline();
    if (stored) {
      pipeline.hincrby(statsKey, 'batches_stored', 1);
      pipeline.hincrby(statsKey, 'lines_stored', logs.length);
      const parseErrors = logs.filter((log) => log.parseError !== null).length;
      if (parseErrors > 0) pipeline.hincrby(statsKey, 'parse_errors', parseErrors);
      if (tally?.dropped) pipeline.hincrby(statsKey, 'lines_dropped_by_pipeline', tally.dropped);
      if (await this.anyoneListening()) {
        const event: StoredBatchEvent = { batchId, logs };
        pipeline.publish(this.redis.key(STORED_BATCH_CHANNEL), JSON.stringify(event));
      }
    } else {
      pipeline.hincrby(statsKey, 'batches_duplicate', 1);
    }
    await pipeline.exec();
  }
}

/** Stats of one batch's parsing, for the pipeline counters. */
interface ParseTally {
  dropped: number;
}

const DISCARDED = {
  ts: 0,
  level: 6,
  host: null,
  message: '',
  statusCode: null,
  method: null,
  path: null,
  latencyMs: null,
  fields: {},
  parseError: null,
};
