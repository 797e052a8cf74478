import type { RawLine } from '@app/queue';
import { sourceFromName } from './compat-source';

/** A push body that does not follow the Loki JSON format: answered 400, nothing stored. */
export class LokiPayloadError extends Error {}

export interface LokiPushOrigin {
  /** The `source` query parameter, which wins over the labels. */
  source?: string;
  /** The client's address, the host of streams that name none. */
  ip: string;
  receivedAt: number;
}

/** Labels that name the source, then the host, in order of preference. */
const SOURCE_LABELS = ['job', 'service_name'];
const HOST_LABELS = ['host', 'hostname', 'instance'];

/**
 * Reads a Loki JSON push (`{"streams":[{"stream":{labels},"values":[["<ns>","<line>",{meta}?]]}]}`)
 * into raw lines: the entry's time becomes the event time (milliseconds, sub-millisecond digits
 * kept as a fraction, down to the microsecond) and the labels plus structured metadata become attributes. All or nothing,
 * like Loki: the first problem is reported with its stream and value index.
 */
export function decodeLokiPush(body: unknown, origin: LokiPushOrigin): RawLine[] {
  if (!isObject(body) || !Array.isArray(body.streams)) {
    throw new LokiPayloadError('The body must be a JSON object with a "streams" array');
  }
  const lines: RawLine[] = [];
  body.streams.forEach((stream: unknown, s: number) => {
    const where = `streams[${s}]`;
    if (!isObject(stream)) throw new LokiPayloadError(`${where} must be an object`);
    const labels = stringMap(stream.stream ?? {}, `${where}.stream`);
    if (!Array.isArray(stream.values)) {
      throw new LokiPayloadError(`${where}.values must be an array of [timestamp, line] entries`);
    }
    const source =
      origin.source ??
      firstLabel(labels, SOURCE_LABELS, (value) => sourceFromName(value)) ??
      'loki';
    const host = firstLabel(labels, HOST_LABELS, (value) => value || undefined) ?? origin.ip;
    stream.values.forEach((entry: unknown, v: number) => {
      const at = `${where}.values[${v}]`;
      if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) {
        throw new LokiPayloadError(
          `${at} must be ["<unix epoch in nanoseconds>", "<line>"] or with a third element of structured metadata`,
        );
      }
      const [timestamp, line, metadata] = entry as unknown[];
      if (typeof timestamp !== 'string' || !/^\d{1,19}$/.test(timestamp)) {
        throw new LokiPayloadError(
          `${at}[0] must be the time as a string of nanoseconds since the epoch, e.g. "1763719200000000000"`,
        );
      }
      if (typeof line !== 'string') throw new LokiPayloadError(`${at}[1] must be a string`);
      const attributes =
        metadata === undefined ? labels : { ...labels, ...stringMap(metadata, `${at}[2]`) };
      if (line.trim() === '') return;
      lines.push({
        raw: line,
        receivedAt: origin.receivedAt,
        source,
        host,
        eventTime: nanosecondsToMilliseconds(timestamp),
        attributes,
      });
    });
  });
  return lines;
}

/**
 * "1763719200123456789" → 1763719200123.4568: milliseconds with the rest as a fraction, computed
 * exactly in BigInt; the double that holds it resolves about a quarter of a microsecond today.
 */
export function nanosecondsToMilliseconds(nanoseconds: string): number {
  const value = BigInt(nanoseconds);
  return Number(value / 1_000_000n) + Number(value % 1_000_000n) / 1_000_000;
}

function stringMap(value: unknown, where: string): Record<string, string> {
  if (!isObject(value)) throw new LokiPayloadError(`${where} must be an object of string values`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      throw new LokiPayloadError(`${where}.${key} must be a string`);
    }
  }
  return value as Record<string, string>;
}

function firstLabel(
  labels: Record<string, string>,
  names: string[],
  accept: (value: string) => string | undefined,
): string | undefined {
  for (const name of names) {
    const value = labels[name] === undefined ? undefined : accept(labels[name]);
    if (value !== undefined) return value;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
