import type { AlertNotification } from '@app/contracts';
import { JobName } from './queue.constants';

/** One line as a source received it, before any parsing. */
export interface RawLine {
  /** The text of the line (a JSON object is sent as its JSON text). */
  raw: string;
  /** Milliseconds since the epoch when Lookout received the line. */
  receivedAt: number;
  /** Name of the source (an HTTP `source` parameter, a syslog listener, a file source). */
  source: string;
  /** Sending host as the transport saw it, used when the line names none. */
  host?: string;
  /** Set when the line was cut to the maximum length: its length before. */
  truncatedFrom?: number;
  /** How to read `raw` when the transport knows: syslog lines go through the syslog parser. */
  format?: 'syslog';
  /** Event time given by the transport (a Loki entry's time); wins over a time found in the line. */
  eventTime?: number;
  /** Labels or metadata from the transport, added to `fields` (the line's own fields win). */
  attributes?: Record<string, string>;
  /** File-tail position after this line; stored in the same transaction as the line. */
  checkpoint?: FileCheckpoint;
}

/** Where a tailed line ends in its file: the unit of exactly-once for file sources. */
export interface FileCheckpoint {
  sourceId: string;
  /** Identity of the file's content stream across renames: `dev:inode:generation`. */
  fileKey: string;
  path: string;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line. */
  offset: number;
}

export interface RawBatchPayload {
  /** Unique per batch; also the BullMQ job id and the exactly-once key in the batch ledger. */
  batchId: string;
  lines: RawLine[];
}

/** One payload type per job name, so a handler's argument is typed by the job it handles. */
export interface JobPayloads {
  [JobName.StoreRawBatch]: RawBatchPayload;
  [JobName.NotifyAlert]: AlertNotification;
  [JobName.Deliver]: DeliverPayload;
}

/** A delivery row (in `deliveries`) to send; the row holds the channel, rendered message and attempts. */
export interface DeliverPayload {
  deliveryId: string;
}
