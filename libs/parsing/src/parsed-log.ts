/** What parsing makes of one line: the columns of the `logs` table, before storage. */
export interface ParsedLog {
  /** Event time in milliseconds since the epoch (a fraction keeps microseconds). */
  ts: number;
  /** Syslog severity 0 (emergency) to 7 (debug). */
  level: number;
  message: string;
  host: string | null;
  statusCode: number | null;
  method: string | null;
  path: string | null;
  latencyMs: number | null;
  /** Every other extracted value, flattened with dotted keys. */
  fields: Record<string, unknown>;
  /** Why parsing was incomplete; null when the line was understood. */
  parseError: string | null;
}

/** What parsing knows about a line besides its text. */
export interface LineContext {
  /** Received time in ms; the event time when the line carries none. */
  receivedAt: number;
  /** Host as the transport saw it; used when the line names none. */
  host?: string;
  /** Minutes east of UTC for timestamps without a zone (the source's time zone); default 0. */
  utcOffsetMinutes?: number;
}
