import type { LogLevelName } from './levels';

/** One stored log line as the API returns it. */
export interface LogRecord {
  /** Decimal string: ids are 64-bit. */
  id: string;
  /** Event time, ISO 8601 UTC with microseconds. */
  ts: string;
  /** When Lookout received the line. */
  receivedAt: string;
  level: LogLevelName;
  source: string;
  host: string | null;
  message: string;
  statusCode: number | null;
  method: string | null;
  path: string | null;
  latencyMs: number | null;
  fields: Record<string, unknown>;
  /** Why the line could not be parsed fully; the line is stored all the same. */
  parseError: string | null;
  /** In search results: [start, end) character spans of `message` that matched the query. */
  highlights?: [number, number][];
}

/** One line with everything that was kept of it. */
export interface LogRecordDetail extends LogRecord {
  /** The line exactly as received (after decoding). */
  raw: string;
}

export interface LogSearchResponse {
  items: LogRecord[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
  /** Pass as `cursor` with `direction=newer` to get the newer lines before this page; null when none. */
  prevCursor: string | null;
}

export interface IngestLineError {
  /** 1-based line number in the request body. */
  line: number;
  error: string;
}

export interface IngestResponse {
  /** Lines durably enqueued. */
  accepted: number;
  /** Lines refused, with the reason; the other lines were accepted. */
  rejected: IngestLineError[];
}

/** Payload published on the live-tail channel after a batch is committed. */
export interface StoredBatchEvent {
  batchId: string;
  logs: LogRecord[];
}
