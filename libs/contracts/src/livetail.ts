import type { LogLevelName } from './levels';
import type { LogRecord } from './logs';

/**
 * Live tail over socket.io, on the API's HTTP port:
 *
 * ```ts
 * const socket = io(`${origin}${LIVE_TAIL_NAMESPACE}`, {
 *   path: LIVE_TAIL_PATH,
 *   auth: { token }, // access token or API key; or an `Authorization: Bearer …` header
 * });
 * socket.on('lines', ({ lines }, ack) => { show(lines); ack(); }); // ack every message!
 * socket.emit('subscribe', { query: 'payment failed', levels: ['error'] }, (result) => …);
 * ```
 *
 * A refused connection ends in `connect_error` whose `message` says why (missing, invalid or
 * expired credentials).
 */
export const LIVE_TAIL_NAMESPACE = '/live';
export const LIVE_TAIL_PATH = '/socket.io';

/** `auth` of the socket.io handshake. */
export interface LiveTailHandshakeAuth {
  /** An access token from /api/v1/auth/login, or an API key (`lk_…`); "Bearer " is optional. */
  token: string;
}

// ---- client -> server ----

/** Replaces the client's subscription; until the first one the client receives nothing. */
export interface LiveTailSubscribeRequest {
  /** Search query (the same language as the logs page); empty matches every line. */
  query: string;
  /** Only lines at these levels; absent or empty: every level. */
  levels?: LogLevelName[];
}

/**
 * Answer to every client event (socket.io acknowledgement, optional). A refused `subscribe` also
 * emits `error`, and the previous subscription stays in force.
 */
export type LiveTailAck = { ok: true } | { ok: false; error: LiveTailErrorEvent };

export interface LiveTailClientEvents {
  subscribe: (request: LiveTailSubscribeRequest, ack?: (result: LiveTailAck) => void) => void;
  /** Stops delivery until the next `subscribe`. */
  unsubscribe: (ack?: (result: LiveTailAck) => void) => void;
  /** Stops delivery; nothing is buffered meanwhile, the server only counts the lines skipped. */
  pause: (ack?: (result: LiveTailAck) => void) => void;
  /** Resumes delivery; the server first sends `skipped { count, reason: 'paused' }`. */
  resume: (ack?: (result: LiveTailAck) => void) => void;
}

// ---- server -> client ----

/** A stored line that matches the subscription. */
export interface LiveTailLine extends LogRecord {
  /** Matched ranges of `message`: [start, end) in UTF-16 code units, sorted, not overlapping. */
  highlights: [number, number][];
}

/** The matching lines of one stored batch (at most one message per batch). */
export interface LiveTailLinesEvent {
  lines: LiveTailLine[];
}

export type LiveTailSkipReason = 'paused' | 'slow client';

/**
 * Lines that matched but were not sent, at this point of the stream: while paused (sent on
 * `resume`, count may be 0), or because the client had too much unacknowledged data (sent once it
 * has caught up).
 */
export interface LiveTailSkippedEvent {
  count: number;
  reason: LiveTailSkipReason;
}

export type LiveTailErrorCode =
  | 'invalid_query'
  | 'invalid_request'
  | 'token_expired'
  /** The key was revoked or the session ended (logout, password change) while connected. */
  | 'credentials_revoked';

export interface LiveTailErrorEvent {
  code: LiveTailErrorCode;
  message: string;
  /** 0-based offset in the query where parsing failed; null when not about the query text. */
  position: number | null;
  /** What the parser expected at `position` (empty when unknown). */
  expected: string[];
}

export interface LiveTailServerEvents {
  /**
   * Call `ack` once the message is handled: the server keeps at most a bounded amount of
   * unacknowledged lines per client (see `skipped` with reason 'slow client').
   */
  lines: (event: LiveTailLinesEvent, ack: () => void) => void;
  skipped: (event: LiveTailSkippedEvent) => void;
  error: (event: LiveTailErrorEvent) => void;
}
