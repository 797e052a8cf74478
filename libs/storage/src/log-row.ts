/** One line ready for the `logs` table (parsed, with its source and received time). */
export interface NewLogRow {
  ts: number;
  receivedAt: number;
  level: number;
  source: string;
  host: string | null;
  message: string;
  /** The line as received; stored only when it differs from the message. */
  raw: string;
  statusCode: number | null;
  method: string | null;
  path: string | null;
  latencyMs: number | null;
  fields: Record<string, unknown>;
  parseError: string | null;
  /** Dropped by a pipeline: not stored, but its file range is recorded as read. */
  discard?: boolean;
  /** For a line read from a file: its position, stored in the same transaction as the line. */
  checkpoint?: TailCheckpoint;
}

/** Where a tailed line ends in its file (fileKey = `dev:inode:generation`). */
export interface TailCheckpoint {
  sourceId: string;
  fileKey: string;
  path: string;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line. */
  offset: number;
}
