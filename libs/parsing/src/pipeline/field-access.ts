import { levelFromValue } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { toLatencyMs } from '../parse-line';
import { timestampFromCapture } from './capture-timestamp';
import { PipelineError } from './pipeline-error';
import type { PipelineContext } from './pipeline.types';

export type Column =
  'message' | 'level' | 'host' | 'statusCode' | 'method' | 'path' | 'latencyMs' | 'ts';

/** A column of the log, or a key of `fields` (dotted keys stay whole: `fields['http.status']`). */
export type FieldRef = { column: Column } | { key: string };

/** Names that address columns in steps and conditions. */
const COLUMN_NAMES: Readonly<Record<string, Column>> = {
  message: 'message',
  level: 'level',
  host: 'host',
  status: 'statusCode',
  method: 'method',
  path: 'path',
  latency_ms: 'latencyMs',
  ts: 'ts',
};

/** Capture names that fill columns: the column names plus the usual names of the time. */
const CAPTURE_COLUMNS: Readonly<Record<string, Column>> = {
  ...COLUMN_NAMES,
  timestamp: 'ts',
  '@timestamp': 'ts',
};

/** Columns the `logs` table requires: they can be changed, not removed. */
const REQUIRED: ReadonlySet<Column> = new Set(['message', 'level', 'ts']);

export function resolveField(name: unknown, path: string): FieldRef {
  if (typeof name !== 'string' || name === '' || name === 'fields.') {
    throw new PipelineError(path, 'a field name is required');
  }
  if (name.startsWith('fields.')) return { key: name.slice('fields.'.length) };
  const column = COLUMN_NAMES[name];
  return column ? { column } : { key: name };
}

/** Where a pattern capture goes: a column when it is named like one, else `fields`. */
export function captureTarget(name: string): FieldRef {
  const column = CAPTURE_COLUMNS[name];
  return column ? { column } : { key: name };
}

export function resolveRemovableField(name: unknown, path: string): FieldRef {
  const ref = resolveField(name, path);
  if ('column' in ref && REQUIRED.has(ref.column)) {
    throw new PipelineError(path, `"${String(name)}" is required and cannot be removed`);
  }
  return ref;
}

export function getField(parsed: ParsedLog, ref: FieldRef): unknown {
  return 'column' in ref ? parsed[ref.column] : parsed.fields[ref.key];
}

/**
 * Sets a field, converting for a column (`"error"` → level 3, `"0.2s"` → 200 ms). Returns why
 * the value does not fit the column, leaving the log unchanged, or undefined when it was set.
 */
export function setField(
  parsed: ParsedLog,
  ref: FieldRef,
  value: unknown,
  context: PipelineContext,
): string | undefined {
  if (!('column' in ref)) {
    parsed.fields[ref.key] = value;
    return undefined;
  }
  const converted = toColumn(ref.column, value, context);
  if (converted === undefined) return `${JSON.stringify(value)} is not a valid ${ref.column}`;
  (parsed as unknown as Record<Column, unknown>)[ref.column] = converted;
  return undefined;
}

/** Removes a field; a nullable column becomes null. Returns whether there was a value. */
export function removeField(parsed: ParsedLog, ref: FieldRef): boolean {
  if (!('column' in ref)) {
    const had = ref.key in parsed.fields;
    delete parsed.fields[ref.key];
    return had;
  }
  const column = ref.column as Exclude<Column, 'message' | 'level' | 'ts'>;
  const had = parsed[column] !== null;
  parsed[column] = null;
  return had;
}

function toColumn(column: Column, value: unknown, context: PipelineContext): unknown {
  switch (column) {
    case 'message':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'level':
      return levelFromValue(value);
    case 'ts':
      return timestampFromCapture(value, context);
    case 'latencyMs':
      return toLatencyMs(value) ?? undefined;
    case 'statusCode': {
      const status = typeof value === 'string' ? Number(value.trim()) : value;
      return Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999
        ? status
        : undefined;
    }
    case 'method':
      return typeof value === 'string' && value !== '' ? value.toUpperCase() : undefined;
    default:
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
  }
}
