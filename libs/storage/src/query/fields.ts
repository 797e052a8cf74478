import type { Field } from './ast';

/** What a field name in a query refers to: full text, the level, or a compared value. */
export type FieldTarget = 'message' | 'level' | Field;

const COLUMNS: Record<string, FieldTarget> = {
  message: 'message',
  level: 'level',
  source: { kind: 'text', column: 'source' },
  host: { kind: 'text', column: 'host' },
  path: { kind: 'text', column: 'path' },
  method: { kind: 'text', column: 'method' },
  status: { kind: 'number', column: 'status_code' },
  latency_ms: { kind: 'number', column: 'latency_ms' },
};

const JSON_PREFIX = 'fields.';

/** For error messages: every name a query may use before `:`. */
export const FIELD_NAMES =
  'level, source, host, status, method, path, latency_ms, message or fields.<name>';

/** The field a name refers to (column names in any case; `fields.<key>` keeps the key's case). */
export function resolveField(name: string): FieldTarget | undefined {
  const lower = name.toLowerCase();
  if (Object.hasOwn(COLUMNS, lower)) return COLUMNS[lower];
  if (lower.startsWith(JSON_PREFIX) && name.length > JSON_PREFIX.length)
    return { kind: 'json', key: name.slice(JSON_PREFIX.length) };
  return undefined;
}
