import type { ParsedLog } from '../parsed-log';
import type { FormatsApi, PipelineContext } from './pipeline.types';

export const RECEIVED_AT = Date.UTC(2026, 10, 21, 12, 0, 0);
export const CONTEXT: PipelineContext = { receivedAt: RECEIVED_AT, host: 'collector' };

export function logOf(overrides: Partial<ParsedLog> = {}): ParsedLog {
  return {
    ts: RECEIVED_AT,
    level: 6,
    message: 'hello',
    host: null,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields: {},
    parseError: null,
    ...overrides,
  };
}

/**
 * A stand-in for the built-in formats: `kv` reads `key=value` pairs (and declines other lines the
 * way the registry does: bare text with a parseError); detection says `json` for `{…}` lines.
 */
export const FAKE_FORMATS: FormatsApi = {
  formatNames: ['kv', 'json'],
  parseWithFormat(name, line, context) {
    const pairs = [...line.matchAll(/(\w+)=(\S+)/g)];
    if (name !== 'kv' || pairs.length === 0) {
      return logOf({
        message: line,
        host: context.host ?? null,
        ts: context.receivedAt,
        parseError: `line does not match format "${name}"`,
      });
    }
    const fields = Object.fromEntries(pairs.map(([, key, value]) => [key, value]));
    const { msg, level, ...rest } = fields;
    return logOf({
      message: msg ?? line,
      level: level === 'error' ? 3 : 6,
      host: context.host ?? null,
      ts: context.receivedAt,
      fields: rest,
    });
  },
  detectFormat(line, context) {
    if (!line.startsWith('{')) return { format: 'text', parsed: logOf({ message: line }) };
    const document = JSON.parse(line) as Record<string, unknown>;
    const { msg, ...fields } = document;
    return {
      format: 'json',
      parsed: logOf({ message: String(msg), host: context.host ?? null, fields }),
    };
  },
};
