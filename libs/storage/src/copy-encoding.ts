/**
 * Encoding of values for PostgreSQL's COPY text format: tab-separated columns, `\N` for NULL,
 * and backslash escapes for backslash, newline, carriage return and tab.
 */

const NEEDS_ESCAPE = /[\\\n\r\t\0]/;
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\0': '',
};

export function copyText(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  // NUL cannot be stored in a PostgreSQL text value; it is dropped.
  return NEEDS_ESCAPE.test(value) ? value.replace(/[\\\n\r\t\0]/g, (c) => ESCAPES[c]) : value;
}

export function copyNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '\\N' : String(value);
}

/** A JSON object for a jsonb column; NULL when empty. */
export function copyJson(value: Record<string, unknown> | null | undefined): string {
  if (!value) return '\\N';
  let json = JSON.stringify(value);
  if (json === '{}') return '\\N';
  // jsonb refuses \u0000 and lone surrogates: replace them (rare, so only then walk the value).
  if (/\\u(0000|d[89a-f])/i.test(json)) json = JSON.stringify(sanitizeForJsonb(value));
  return copyText(json);
}

function sanitizeForJsonb(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\0/g, '\uFFFD').toWellFormed();
  if (Array.isArray(value)) return value.map(sanitizeForJsonb);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        sanitizeForJsonb(key) as string,
        sanitizeForJsonb(child),
      ]),
    );
  }
  return value;
}

/** "000"…"999": the millisecond and microsecond digits of a formatted timestamp. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));

/**
 * Milliseconds (with a fraction for microseconds) → `2026-11-21T10:00:00.123456Z`. Runs twice per
 * stored line, so the date part is only formatted when the second changes: use one formatter per
 * kind of time (event, received), whose successive values mostly share their second.
 */
export class TimestampFormatter {
  private second = Number.NaN;
  /** `2026-11-21T10:00:00.` of `second`. */
  private secondText = '';

  format(ms: number): string {
    const whole = Math.floor(ms);
    const second = Math.floor(whole / 1000);
    if (second !== this.second) {
      this.secondText = new Date(second * 1000).toISOString().slice(0, 20);
      this.second = second;
    }
    const micros = Math.min(999, Math.round((ms - whole) * 1000));
    return this.secondText + THREE_DIGITS[whole - second * 1000] + THREE_DIGITS[micros] + 'Z';
  }
}

const sharedFormatter = new TimestampFormatter();

/** Milliseconds (with a fraction for microseconds) → `2026-11-21T10:00:00.123456Z`. */
export function formatTimestamp(ms: number): string {
  return sharedFormatter.format(ms);
}

/** Earliest and latest instants a stored timestamp may have (years 1 to 9999). */
export const MIN_TIMESTAMP_MS = Date.parse('0001-01-01T00:00:00Z');
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isStorableTimestamp(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS;
}

const COPY_CHUNK_BYTES = 256 * 1024;

/**
 * Collects COPY text lines straight into UTF-8 buffers. Cheaper than joining the lines into one
 * string and encoding that: a batch's lines are concatenations of many small strings, and each is
 * flattened and encoded once, here, instead of flattened, copied and then encoded again.
 */
export class CopyTextBuffer {
  private readonly chunks: Buffer[] = [];
  private chunk = Buffer.allocUnsafe(COPY_CHUNK_BYTES);
  private used = 0;

  /** Appends one line and its newline. */
  line(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const worstCase = text.length * 3 + 1;
    if (this.used + worstCase > this.chunk.length) {
      this.seal();
      this.chunk = Buffer.allocUnsafe(Math.max(COPY_CHUNK_BYTES, worstCase));
    }
    this.used += this.chunk.write(text, this.used);
    this.chunk[this.used++] = 0x0a;
  }

  /** The bytes written, in order (no copy). The buffer must not be used afterwards. */
  finish(): Buffer[] {
    this.seal();
    return this.chunks;
  }

  private seal(): void {
    if (this.used > 0) this.chunks.push(this.chunk.subarray(0, this.used));
    this.used = 0;
  }
}
