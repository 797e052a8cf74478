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
}
