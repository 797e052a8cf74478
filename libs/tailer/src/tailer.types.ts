/**
 * How far a consumer has durably stored one file. The tailer never advances checkpoints itself: the
 * consumer keeps the ones carried by the batches it has stored and hands them back on restart.
 */
export interface Checkpoint {
  /**
   * `${dev}:${ino}:${generation}`: one file's content across renames. The generation goes up when
   * the file is truncated in place (copytruncate), whose new content is a new stream.
   */
  fileKey: string;
  /** The path the file was first found at; it stays the same after the file is renamed. */
  path: string;
  /** Byte offset just after the last stored line: reading resumes here. */
  offset: number;
}

export interface TailedLine {
  /** The line without its LF (and CR); a multi-line event joins its lines with `\n`. */
  text: string;
  /** Where the file was first found (see `Checkpoint.path`). */
  path: string;
  fileKey: string;
  /** Byte offset of the line's first byte (of the first line of a multi-line event). */
  start: number;
  /** Byte offset just after this line (after the last line of a multi-line event). */
  offset: number;
  /** Set when a line was cut at `maxLineBytes`: its length in bytes before the cut. */
  truncatedFrom?: number;
}

export interface TailBatch {
  /** In file order per file; at most `batchMaxLines`. May be empty when only positions moved. */
  lines: TailedLine[];
  /**
   * Where each file touched by this batch stands once the batch is stored: one entry per fileKey,
   * covering its lines here and moves without a line (a file first seen, a truncation).
   */
  checkpoints: Checkpoint[];
  /** fileKeys the tailer is done with (file gone, or the generation before a truncation). */
  finished: string[];
}

export interface MultilineRule {
  /** Regex source: a line matching it continues the previous event (e.g. `^\s`). */
  pattern: string;
  match: 'continuation';
  /** An event is emitted as soon as it holds this many lines. */
  maxLines: number;
  /** An event is emitted when the file has not grown for this long (and no unfinished line is held). */
  flushMs: number;
}

export interface FileTailerOptions {
  /** Path globs (fast-glob); relative ones are resolved against `cwd`. */
  include: string[];
  /**
   * Globs of files to leave out. A pattern without `/` is matched against the file name
   * (`*.gz`), one with `/` against the whole path.
   */
  exclude?: string[];
  /** Where to start a file found by the first scan that has no checkpoint. Default `end`. */
  startAt?: 'end' | 'beginning';
  /** Checkpoints from the consumer's store; those whose path is not covered here are ignored. */
  initialCheckpoints?: Checkpoint[];
  /** Awaited before anything more is read: a slow consumer slows the tailer down. */
  onBatch: (batch: TailBatch) => Promise<void>;
  /** `onBatch` rejected; the tailer has stopped. Without it the error is thrown (a crash). */
  onError?: (error: unknown) => void;
  /** A file could not be read or watched; tailing goes on. */
  onWarning?: (message: string) => void;
  multiline?: MultilineRule;
  /** Default 1000. */
  batchMaxLines?: number;
  /** How often the globs are expanded again. Default 1000. */
  scanIntervalMs?: number;
  /** How often open files are checked for growth or truncation. Default 250. */
  pollIntervalMs?: number;
  /** An unfinished last line is emitted as it is after this long without growth. Default 5000. */
  partialLineFlushMs?: number;
  /**
   * A file that no longer matches (renamed or deleted) is read to its end and closed once it has
   * not grown for this long, so late writes by a program that has not reopened it are kept.
   * Default 5000.
   */
  rotatedGraceMs?: number;
  /** Default 64 KiB. */
  maxLineBytes?: number;
  /** Default 64 KiB. */
  readChunkBytes?: number;
  /** Default `process.cwd()`. */
  cwd?: string;
}
