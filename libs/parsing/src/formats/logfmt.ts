import { DEFAULT_LEVEL, levelFromStatus, levelFromText, levelFromValue } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { timestampFromValueInZone } from '../timestamps';
import { durationToMs } from './durations';
import type { FormatContext, LogFormat } from './log-format';

/** Keys that become columns, most usual first; the first one present wins. */
const KEYS = {
  ts: ['ts', 'time', 'timestamp'],
  level: ['level', 'lvl', 'severity'],
  message: ['msg', 'message'],
  latencyMs: ['duration', 'latency', 'took', 'elapsed', 'duration_ms', 'latency_ms'],
  statusCode: ['status', 'status_code'],
  method: ['method'],
  path: ['path', 'uri'],
  host: ['host', 'hostname'],
} as const;

/**
 * logfmt (`ts=… level=warn msg="slow query" duration=1.2s user=alice flag`): quoted values with
 * backslash escapes, bare keys as `true`, bare numbers as numbers. A line needs at least one
 * `key=value` and no more bare words than pairs, so prose with one `a=b` in it is not logfmt.
 */
export const logfmt: LogFormat = {
  name: 'logfmt',
  description: 'logfmt key=value lines (Go kit, Heroku, Grafana Loki, …)',
  sniff: startsWithKey,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const fields = readPairs(line);
    if (!fields) return undefined;
    let parseError: string | null = null;

    let ts: number | undefined;
    const tsKey = firstKey(fields, KEYS.ts);
    if (tsKey !== undefined) {
      const value = fields[tsKey];
      ts = timestampFromValueInZone(value, context.utcOffsetMinutes ?? 0);
      if (ts === undefined) parseError = `unrecognised timestamp ${JSON.stringify(value)}`;
      else delete fields[tsKey];
    }

    const message = take(fields, KEYS.message, (value) =>
      typeof value === 'string' ? value : String(value),
    );
    const statusCode = take(fields, KEYS.statusCode, (value) =>
      Number.isInteger(value) && (value as number) >= 100 && (value as number) <= 999
        ? (value as number)
        : undefined,
    );
    const level =
      take(fields, KEYS.level, levelFromValue) ??
      levelFromStatus(statusCode ?? null) ??
      (message === undefined ? undefined : levelFromText(message));

    return {
      ts: ts ?? context.receivedAt,
      level: level ?? DEFAULT_LEVEL,
      message: message ?? line,
      host: take(fields, KEYS.host, asText) ?? context.host ?? null,
      statusCode: statusCode ?? null,
      method: take(fields, KEYS.method, (value) => asText(value)?.toUpperCase()) ?? null,
      path: take(fields, KEYS.path, asText) ?? null,
      latencyMs: take(fields, KEYS.latencyMs, (value) => durationToMs(value) ?? undefined) ?? null,
      fields,
      parseError,
    };
  },
};

/** `key=` at the very start: a key is letters, digits and `_ . - / @ :`. */
function startsWithKey(line: string): boolean {
  for (let i = 0; i < line.length && i < 64; i++) {
    const code = line.charCodeAt(i);
    if (code === 61) return i > 0; // '='
    if (!isKeyChar(code)) return false;
  }
  return false;
}

function isKeyChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) || // a-z
    (code >= 65 && code <= 90) || // A-Z
    (code >= 48 && code <= 57) || // 0-9
    code === 95 || // _
    code === 46 || // .
    code === 45 || // -
    code === 47 || // /
    code === 64 || // @
    code === 58 // :
  );
}

/** The pairs of a logfmt line, or undefined when it is not one. */
function readPairs(line: string): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  let pairs = 0;
  let bare = 0;
  let pos = 0;
  while (pos < line.length) {
    const code = line.charCodeAt(pos);
    if (code === 32 || code === 9) {
      pos++;
      continue;
    }
    const keyStart = pos;
    while (pos < line.length && isKeyChar(line.charCodeAt(pos))) pos++;
    if (pos === keyStart) return undefined;
    const key = line.slice(keyStart, pos);
    if (pos === line.length || line[pos] === ' ' || line[pos] === '\t') {
      fields[key] = true;
      bare++;
      continue;
    }
    if (line[pos] !== '=') return undefined;
    pos++;
    if (line[pos] === '"') {
      const end = closingQuote(line, pos);
      if (end === -1) return undefined;
      const raw = line.slice(pos + 1, end);
      fields[key] = raw.includes('\\') ? unescape(raw) : raw;
      pos = end + 1;
    } else {
      const start = pos;
      while (pos < line.length && line[pos] !== ' ' && line[pos] !== '\t') pos++;
      fields[key] = bareValue(line.slice(start, pos));
    }
    pairs++;
  }
  return pairs > 0 && bare <= pairs ? fields : undefined;
}

function closingQuote(line: string, open: number): number {
  for (let i = open + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i;
  }
  return -1;
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r' };

function unescape(raw: string): string {
  return raw.replace(/\\(.)/gs, (_, char: string) => ESCAPES[char] ?? char);
}

// No leading zeros (`007` is an id, not 7), and integers only while they are exact.
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function bareValue(value: string): unknown {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (!NUMBER.test(value)) return value;
  const number = Number(value);
  return Number.isFinite(number) && (!Number.isInteger(number) || Number.isSafeInteger(number))
    ? number
    : value;
}

function firstKey(fields: Record<string, unknown>, keys: readonly string[]): string | undefined {
  return keys.find((key) => key in fields);
}

/** The first key present whose value `convert` accepts, taken out of fields. */
function take<T>(
  fields: Record<string, unknown>,
  keys: readonly string[],
  convert: (value: unknown) => T | undefined,
): T | undefined {
  for (const key of keys) {
    if (!(key in fields)) continue;
    const converted = convert(fields[key]);
    if (converted === undefined) continue;
    delete fields[key];
    return converted;
  }
  return undefined;
}

function asText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
