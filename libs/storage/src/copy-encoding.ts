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

let lastFormatted = { ms: Number.NaN, text: '' };

/**
 * Milliseconds (with a fraction for microseconds) → `2026-11-21T10:00:00.123456Z`.
 * Remembers the last value: lines of a batch mostly share their received time.
 */
export function formatTimestamp(ms: number): string {
  if (ms === lastFormatted.ms) return lastFormatted.text;
  const text = formatTimestampUncached(ms);
  lastFormatted = { ms, text };
  return text;
}

function formatTimestampUncached(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.round((ms - whole) * 1000));
  return `${new Date(whole).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}Z`;
}

/** Earliest and latest instants a stored timestamp may have (years 1 to 9999). */
export const MIN_TIMESTAMP_MS = Date.parse('0001-01-01T00:00:00Z');
export const MAX_TIMESTAMP_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function isStorableTimestamp(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS;
}
