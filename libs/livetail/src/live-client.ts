import type {
  LiveTailLine,
  LiveTailLinesEvent,
  LiveTailSkippedEvent,
  LogLevelName,
  LogRecord,
} from '@app/contracts';
import type { CompiledLiveQuery } from './live-query';
import { liveTailLinesSent, liveTailLinesSkipped } from './live-tail.metrics';

/**
 * How much one client may have sent but not yet acknowledged. This is the whole per-client memory
 * of live tail: nothing else is queued for a client, and what socket.io, engine.io, `ws` and the
 * kernel hold for it is part of the unacknowledged data.
 */
export interface LiveTailLimits {
  maxUnackedLines: number;
  /** Estimated as the length of the lines' JSON (UTF-16 code units; bytes for ASCII). */
  maxUnackedBytes: number;
}

/** Sized so that one default batch (5000 lines) of ordinary lines reaches a keeping-up client. */
export const DEFAULT_LIVE_TAIL_LIMITS: LiveTailLimits = {
  maxUnackedLines: 10_000,
  maxUnackedBytes: 4 * 1024 * 1024,
};

/** Where a client's messages go (the socket, or a fake in unit tests). */
export interface LiveClientOutput {
  /** `onAck` must be called once the client has acknowledged this message. */
  lines(event: LiveTailLinesEvent, onAck: () => void): void;
  skipped(event: LiveTailSkippedEvent): void;
}

export interface LiveClientStats {
  id: string;
  subscribed: boolean;
  query: string | null;
  paused: boolean;
  /** Dropping lines until the client catches up (slow client). */
  dropping: boolean;
  unackedLines: number;
  unackedBytes: number;
  peakUnackedLines: number;
  peakUnackedBytes: number;
  linesSent: number;
  messagesSent: number;
  skippedPaused: number;
  skippedSlow: number;
}

const HIGHLIGHT_JSON_OVERHEAD = 16; // ,"highlights":[]
const SPAN_JSON_SIZE = 12; // [1234,1240],

/** JSON length of a stored line, computed once per line however many clients receive it. */
const recordSizes = new WeakMap<LogRecord, number>();
function recordSize(record: LogRecord): number {
  let size = recordSizes.get(record);
  if (size === undefined) {
    size = JSON.stringify(record).length;
    recordSizes.set(record, size);
  }
  return size;
}

/**
 * One live-tail connection: its subscription, pause state and flow control. No I/O of its own.
 *
 * Flow control: every `lines` message is acknowledged by the client. Lines are sent only while
 * the client's unacknowledged lines and bytes stay within `limits`; a batch that does not fit is
 * sent in part and the rest is dropped (counted), and so is everything after it until the
 * client's backlog falls to half the limits. Then `skipped { count, reason: 'slow client' }` is
 * sent, and lines flow again. So the server never holds more than the limits for a client,
 * whatever the client does (a client that never reads, or never acknowledges, just stops
 * receiving lines).
 */
export class LiveClient {
  private subscription: {
    query: CompiledLiveQuery;
    levels: ReadonlySet<LogLevelName> | null;
  } | null = null;
  private paused = false;
  private dropping = false;
  /** Matching lines not sent since pause, reported on resume. */
  private skippedWhilePaused = 0;
  /** Matching lines dropped while the client was behind, reported when it has caught up. */
  private droppedSlow = 0;
  private unackedLines = 0;
  private unackedBytes = 0;
  private readonly totals = {
    peakUnackedLines: 0,
    peakUnackedBytes: 0,
    linesSent: 0,
    messagesSent: 0,
    skippedPaused: 0,
    skippedSlow: 0,
  };

  constructor(
    readonly id: string,
    private readonly output: LiveClientOutput,
    private readonly limits: LiveTailLimits = DEFAULT_LIVE_TAIL_LIMITS,
  ) {}

  get isSubscribed(): boolean {
    return this.subscription !== null;
  }

  subscribe(query: CompiledLiveQuery, levels: readonly LogLevelName[] | null): void {
    this.subscription = { query, levels: levels && levels.length > 0 ? new Set(levels) : null };
  }

  unsubscribe(): void {
    this.subscription = null;
  }

  pause(): void {
    this.paused = true;
  }

  /** Ends a pause: reports what was skipped meanwhile (possibly 0). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const count = this.skippedWhilePaused;
    this.skippedWhilePaused = 0;
    this.output.skipped({ count, reason: 'paused' });
  }

  /** One stored batch: sends its matching lines as one message, or counts them as skipped. */
  offer(logs: readonly LogRecord[]): void {
    const subscription = this.subscription;
    if (!subscription) return;
    const { query, levels } = subscription;
    const matched: LogRecord[] = [];
    for (const log of logs) {
      if (levels && !levels.has(log.level)) continue;
      if (safeMatch(query, log)) matched.push(log);
    }
    if (matched.length === 0) return;

    if (this.paused) {
      this.skippedWhilePaused += matched.length;
      this.totals.skippedPaused += matched.length;
      liveTailLinesSkipped.inc({ reason: 'paused' }, matched.length);
      return;
    }
    if (this.dropping) {
      this.dropSlow(matched.length);
      return;
    }

    const { maxUnackedLines, maxUnackedBytes } = this.limits;
    const lines: LiveTailLine[] = [];
    let bytes = 0;
    for (const log of matched) {
      if (this.unackedLines + lines.length >= maxUnackedLines) break;
      const highlights = safeSpans(query, log.message);
      const size = recordSize(log) + HIGHLIGHT_JSON_OVERHEAD + highlights.length * SPAN_JSON_SIZE;
      if (this.unackedBytes + bytes + size > maxUnackedBytes) break;
      lines.push({ ...log, highlights });
      bytes += size;
    }
    if (lines.length > 0) this.send(lines, bytes);
    if (lines.length < matched.length) {
      this.dropping = true;
      this.dropSlow(matched.length - lines.length);
      this.recoverIfCaughtUp(); // e.g. nothing was in flight and one line alone is over the limit
    }
  }

  stats(): LiveClientStats {
    return {
      id: this.id,
      subscribed: this.subscription !== null,
      query: this.subscription?.query.text ?? null,
      paused: this.paused,
      dropping: this.dropping,
      unackedLines: this.unackedLines,
      unackedBytes: this.unackedBytes,
      ...this.totals,
    };
  }

  private send(lines: LiveTailLine[], bytes: number): void {
    this.unackedLines += lines.length;
    this.unackedBytes += bytes;
    this.totals.peakUnackedLines = Math.max(this.totals.peakUnackedLines, this.unackedLines);
    this.totals.peakUnackedBytes = Math.max(this.totals.peakUnackedBytes, this.unackedBytes);
    this.totals.linesSent += lines.length;
    this.totals.messagesSent++;
    liveTailLinesSent.inc(lines.length);
    let acknowledged = false;
    this.output.lines({ lines }, () => {
      if (acknowledged) return;
      acknowledged = true;
      this.unackedLines -= lines.length;
      this.unackedBytes -= bytes;
      this.recoverIfCaughtUp();
    });
  }

  private dropSlow(count: number): void {
    this.droppedSlow += count;
    this.totals.skippedSlow += count;
    liveTailLinesSkipped.inc({ reason: 'slow_client' }, count);
  }

  /** Half the limits, so that a client at the edge does not flap between sending and dropping. */
  private recoverIfCaughtUp(): void {
    if (!this.dropping) return;
    if (this.unackedLines > this.limits.maxUnackedLines / 2) return;
    if (this.unackedBytes > this.limits.maxUnackedBytes / 2) return;
    this.dropping = false;
    const count = this.droppedSlow;
    this.droppedSlow = 0;
    if (count > 0) this.output.skipped({ count, reason: 'slow client' });
  }
}

/** A query that throws on some line (a bug, odd fields) must not stop the others. */
function safeMatch(query: CompiledLiveQuery, log: LogRecord): boolean {
  try {
    return query.matches(log);
  } catch {
    return false;
  }
}

function safeSpans(query: CompiledLiveQuery, message: string): [number, number][] {
  try {
    return query.spans(message);
  } catch {
    return [];
  }
}
