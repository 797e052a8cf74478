import { parseLine } from '../parse-line';
import type { ParsedLog } from '../parsed-log';
import { timestampFromValue } from '../timestamps';
import type { FormatContext, LogFormat } from './log-format';

/**
 * One JSON object per line, read by parseLine's JSON path (well-known keys for time, level,
 * message, host and HTTP columns; the rest flattened into fields), then a few widespread shapes
 * that those keys miss are mapped: MongoDB 4.4+, log4j2's JSON layout (Logstash), and ECS
 * `event.duration`. A line that starts with `{` but is not valid JSON keeps parseLine's
 * `invalid JSON` error: it is most likely a JSON line cut short.
 */
export const json: LogFormat = {
  name: 'json',
  description: 'JSON lines (ECS, Bunyan/pino, MongoDB, log4j2 JSON layout, …)',
  sniff: startsWithBrace,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    if (!startsWithBrace(line)) return undefined;
    const parsed = parseLine(line, context);
    if (parsed.parseError === null || !parsed.parseError.startsWith('invalid JSON')) {
      mapKnownShapes(parsed, line);
    }
    return parsed;
  },
};

function startsWithBrace(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char !== ' ' && char !== '\t') return char === '{';
  }
  return false;
}

/** MongoDB's `s`: F(atal), E(rror), W(arning), I(nfo), D1–D5 (debug verbosity). */
const MONGODB_SEVERITY: Record<string, number> = {
  F: 2,
  E: 3,
  W: 4,
  I: 6,
  D: 7,
  D1: 7,
  D2: 7,
  D3: 7,
  D4: 7,
  D5: 7,
};

function mapKnownShapes(parsed: ParsedLog, line: string): void {
  const fields = parsed.fields;
  // MongoDB 4.4+: {"t":{"$date":…},"s":"I","c":"STORAGE","id":…,"ctx":…,"msg":…,"attr":{…}}.
  if (typeof fields['t.$date'] === 'string' && typeof fields.s === 'string') {
    takeTimestamp(parsed, 't.$date');
    const level = MONGODB_SEVERITY[fields.s];
    if (level !== undefined) {
      parsed.level = level;
      delete fields.s;
    }
    rename(fields, 'c', 'mongodb.component');
    rename(fields, 'ctx', 'mongodb.context');
    rename(fields, 'id', 'mongodb.id');
  }
  // log4j2 JsonLayout (Logstash, Elasticsearch 6): epoch ms in `timeMillis`, message in `logEvent`.
  if (typeof fields.timeMillis === 'number') takeTimestamp(parsed, 'timeMillis');
  if (parsed.message === line && typeof fields['logEvent.message'] === 'string') {
    parsed.message = fields['logEvent.message'];
    delete fields['logEvent.message'];
  }
  // ECS: `event.duration` is in nanoseconds.
  const duration = fields['event.duration'];
  if (parsed.latencyMs === null && typeof duration === 'number' && duration >= 0) {
    parsed.latencyMs = duration / 1e6;
    delete fields['event.duration'];
  }
}

function takeTimestamp(parsed: ParsedLog, key: string): void {
  const ts = timestampFromValue(parsed.fields[key]);
  if (ts === undefined) return;
  parsed.ts = ts;
  delete parsed.fields[key];
}

function rename(fields: Record<string, unknown>, from: string, to: string): void {
  if (!(from in fields)) return;
  fields[to] = fields[from];
  delete fields[from];
}
