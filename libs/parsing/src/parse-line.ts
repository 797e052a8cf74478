import { flattenObject } from './flatten';
import { DEFAULT_LEVEL, levelFromStatus, levelFromText, levelFromValue } from './levels';
import type { LineContext, ParsedLog } from './parsed-log';
import { leadingTimestampInZone, timestampFromValueInZone } from './timestamps';

/**
 * Well-known keys of JSON logs, most specific first. The first one present wins and is taken out
 * of `fields`; the rest stay in `fields`.
 */
const JSON_KEYS = {
  ts: ['@timestamp', 'timestamp', 'time', 'ts', 'datetime', 'date', '@t'],
  level: ['level', 'log.level', 'severity', 'lvl', 'loglevel', 'levelname', '@l'],
  message: ['message', 'msg', '@m', '@mt', 'log', 'text'],
  host: ['host', 'hostname', 'host.name', 'host.hostname'],
  statusCode: [
    'status',
    'status_code',
    'statusCode',
    'http.response.status_code',
    'response.status',
  ],
  method: ['method', 'http.request.method', 'request_method', 'req.method'],
  path: ['path', 'url.path', 'uri', 'request_uri', 'url', 'req.url'],
  latencyMs: [
    'latency_ms',
    'duration_ms',
    'response_time_ms',
    'elapsed_ms',
    'responseTime',
    'response_time',
    'latency',
    'duration',
  ],
} as const;

/** Parses one raw line. Never throws: what cannot be understood is kept and flagged. */
export function parseLine(raw: string, context: LineContext): ParsedLog {
  const trimmed = raw.trimStart();
  if (trimmed.startsWith('{')) {
    let document: unknown;
    try {
      document = JSON.parse(trimmed);
    } catch (error) {
      return {
        ...parseText(raw, context),
        parseError: `invalid JSON: ${(error as Error).message}`,
      };
    }
    if (document !== null && typeof document === 'object' && !Array.isArray(document)) {
      return parseJsonObject(raw, document as Record<string, unknown>, context);
    }
  }
  return parseText(raw, context);
}

/** Free text: a leading ISO 8601 time (zone-less ones at the source's offset), a level word, the whole line as message. */
export function parseText(raw: string, context: LineContext): ParsedLog {
  return {
    ts: leadingTimestampInZone(raw, context.utcOffsetMinutes ?? 0) ?? context.receivedAt,
    level: levelFromText(raw) ?? DEFAULT_LEVEL,
    message: raw,
    host: context.host ?? null,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields: {},
    parseError: null,
  };
}

function parseJsonObject(
  raw: string,
  document: Record<string, unknown>,
  context: LineContext,
): ParsedLog {
  const all = flattenObject(document);
  const problems: string[] = [];
  // Well-known keys found are remembered and left out of `fields` when it is built below, rather
  // than deleted from `all`: a delete turns the object into a slow dictionary for the rest of the
  // line's life (field access, JSON for the jsonb column).
  const taken: string[] = [];
  const unparsed: [key: string, value: unknown][] = [];
  const take = (keys: readonly string[]): unknown => {
    for (const key of keys) {
      const value = Object.hasOwn(all, key) ? all[key] : undefined;
      if (value !== null && value !== undefined && value !== '') {
        taken.push(key);
        return value;
      }
    }
    return undefined;
  };

  const tsValue = take(JSON_KEYS.ts);
  let ts =
    tsValue === undefined
      ? undefined
      : timestampFromValueInZone(tsValue, context.utcOffsetMinutes ?? 0);
  if (tsValue !== undefined && ts === undefined) {
    problems.push(`unrecognised timestamp ${JSON.stringify(tsValue)}`);
    unparsed.push(['timestamp_unparsed', tsValue]);
  }

  const message = take(JSON_KEYS.message);
  const messageText =
    message === undefined ? raw : typeof message === 'string' ? message : JSON.stringify(message);

  const statusCode = toInteger(take(JSON_KEYS.statusCode), 100, 999);
  const levelValue = take(JSON_KEYS.level);
  let level = levelValue === undefined ? undefined : levelFromValue(levelValue);
  if (levelValue !== undefined && level === undefined)
    unparsed.push(['level_unparsed', levelValue]);
  level ??=
    levelFromStatus(statusCode) ?? (message === undefined ? undefined : levelFromText(messageText));

  const host = take(JSON_KEYS.host);
  const method = take(JSON_KEYS.method);
  const path = take(JSON_KEYS.path);
  const latencyMs = toLatencyMs(take(JSON_KEYS.latencyMs));
  // A shipper's JSON wrapper around a text line: take the time from the start of the message.
  ts ??=
    (typeof message === 'string'
      ? leadingTimestampInZone(message, context.utcOffsetMinutes ?? 0)
      : undefined) ?? context.receivedAt;

  let fields = all;
  if (taken.length > 0 || unparsed.length > 0) {
    fields = {};
    for (const key in all) if (!taken.includes(key)) fields[key] = all[key];
    for (const [key, value] of unparsed) fields[key] = value;
  }

  return {
    ts,
    level: level ?? DEFAULT_LEVEL,
    message: messageText,
    host: typeof host === 'string' ? host : (context.host ?? null),
    statusCode,
    method: typeof method === 'string' ? method.toUpperCase() : null,
    path: typeof path === 'string' ? path : null,
    latencyMs,
    fields,
    parseError: problems.length > 0 ? problems.join('; ') : null,
  };
}

function toInteger(value: unknown, min: number, max: number): number | null {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max
    ? number
    : null;
}

/** `123` (ms), `"123ms"`, `"0.24s"`, `"1.5 s"`, `"250us"` → milliseconds. */
export function toLatencyMs(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  if (typeof value !== 'string') return null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|us|µs|ns|m)?\s*$/i.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  switch ((match[2] ?? 'ms').toLowerCase()) {
    case 's':
      return amount * 1000;
    case 'm':
      return amount * 60_000;
    case 'us':
    case 'µs':
      return amount / 1000;
    case 'ns':
      return amount / 1e6;
    default:
      return amount;
  }
}
