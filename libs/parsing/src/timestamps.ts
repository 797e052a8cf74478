/**
 * A timestamp from a structured value: ISO 8601 text or an epoch number in seconds, milliseconds,
 * microseconds or nanoseconds (told apart by magnitude). Returns ms since the epoch, or undefined.
 */
export function timestampFromValue(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return epochToMs(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  return isoToMs(text);
}

function epochToMs(value: number): number {
  const magnitude = Math.abs(value);
  if (magnitude < 1e11) return value * 1000; // seconds
  if (magnitude < 1e14) return value; // milliseconds
  if (magnitude < 1e17) return value / 1000; // microseconds
  return value / 1e6; // nanoseconds
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * ISO 8601 with or without a zone (`Z`, `+04:00`, `+0400`, `+04`), with a fraction of any length;
 * a zone-less time is read as UTC. Keeps microseconds as a fraction of a millisecond.
 */
export function isoToMs(text: string): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone = 'Z'] = match;
  const base = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  if (
    Number.isNaN(base) ||
    +month < 1 ||
    +month > 12 ||
    +day < 1 ||
    +day > 31 ||
    +hour > 23 ||
    +minute > 59 ||
    +second > 60
  ) {
    return undefined;
  }
  const fractionMs = fraction ? Number(`0.${fraction.slice(0, 6)}`) * 1000 : 0;
  return base + fractionMs - zoneOffsetMinutes(zone) * 60_000;
}

function zoneOffsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes);
}

/** A leading ISO 8601 timestamp of a text line (`2024-05-01T10:00:00.123Z rest…`). */
const LEADING_ISO =
  /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:\s?(?:Z|[+-]\d{2}(?::?\d{2})?))?)\]?(?=\s|$)/i;

export function leadingTimestamp(text: string): number | undefined {
  const match = LEADING_ISO.exec(text);
  return match ? isoToMs(match[1]) : undefined;
}
