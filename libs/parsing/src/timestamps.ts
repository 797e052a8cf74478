/**
 * A timestamp from a structured value: ISO 8601 text or an epoch number in seconds, milliseconds,
 * microseconds or nanoseconds (told apart by magnitude). Returns ms since the epoch, or undefined.
 */
export function timestampFromValue(value: unknown): number | undefined {
  return readValue(value, 0);
}

/** Like timestampFromValue, but zone-less ISO text is read at `utcOffsetMinutes`. */
export function timestampFromValueInZone(
  value: unknown,
  utcOffsetMinutes: number,
): number | undefined {
  return readValue(value, utcOffsetMinutes);
}

function readValue(value: unknown, defaultOffsetMinutes: number): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return epochToMs(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  return readIso(text, defaultOffsetMinutes);
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
  return readIso(text, 0);
}

/** Like isoToMs, but a zone-less time is read at `utcOffsetMinutes` (minutes east of UTC). */
export function isoToMsInZone(text: string, utcOffsetMinutes: number): number | undefined {
  return readIso(text, utcOffsetMinutes);
}

function readIso(text: string, defaultOffsetMinutes: number): number | undefined {
  return readUtcIso(text) ?? readIsoByPattern(text, defaultOffsetMinutes);
}

/**
 * The form most JSON loggers write, `2026-11-21T10:00:00Z` or with a fraction of up to 9 digits
 * (`…:00.123Z`), read without the regular expression: it runs for nearly every JSON line.
 * Undefined for anything else (then readIsoByPattern decides), including out-of-range fields.
 */
function readUtcIso(text: string): number | undefined {
  const length = text.length;
  if (length < 20 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':') return undefined;
  if (text[16] !== ':') return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23) {
    return undefined;
  }
  if (minute < 0 || minute > 59 || second < 0 || second > 60) return undefined;
  let fractionMs = 0;
  if (length > 20) {
    // `.` or `,` then 1–9 digits, then the Z.
    const separator = text[19];
    const fractionDigits = length - 21;
    if ((separator !== '.' && separator !== ',') || fractionDigits < 1 || fractionDigits > 9) {
      return undefined;
    }
    const kept = Math.min(fractionDigits, 6);
    const fraction = digits(text, 20, kept);
    if (fraction < 0 || (fractionDigits > 6 && digits(text, 26, fractionDigits - 6) < 0)) {
      return undefined;
    }
    fractionMs = (fraction / 10 ** kept) * 1000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second) + fractionMs;
}

function readIsoByPattern(text: string, defaultOffsetMinutes: number): number | undefined {
  const match = ISO_8601.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second = '0', fraction = '', zone] = match;
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
  const offset = zone === undefined ? defaultOffsetMinutes : zoneOffsetMinutes(zone);
  return base + fractionMs - offset * 60_000;
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

/** Like leadingTimestamp, but a zone-less time is read at `utcOffsetMinutes`. */
export function leadingTimestampInZone(text: string, utcOffsetMinutes: number): number | undefined {
  const match = LEADING_ISO.exec(text);
  return match ? readIso(match[1], utcOffsetMinutes) : undefined;
}

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/**
 * HTTPDATE as nginx `$time_local` and Apache `%t` write it: `10/Oct/2000:13:55:36 -0700`, with an
 * optional fraction (`%{msec}t`-style `:36.123`). Without a zone the time is read at
 * `utcOffsetMinutes`. A hand-written reader: it runs once per access-log line.
 */
export function httpDateToMs(text: string, utcOffsetMinutes = 0): number | undefined {
  if (text.length < 20 || text[2] !== '/' || text[6] !== '/' || text[11] !== ':') return undefined;
  if (text[14] !== ':' || text[17] !== ':') return undefined;
  const month = MONTHS[text.slice(3, 6)];
  if (month === undefined) return undefined;
  let end = 20;
  let fractionMs = 0;
  if (text[end] === '.') {
    const start = end + 1;
    end = start;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end === start) return undefined;
    fractionMs = Number(`0.${text.slice(start, Math.min(end, start + 6))}`) * 1000;
  }
  let offset = utcOffsetMinutes;
  if (end < text.length) {
    // ` +0100`: exactly a space, a sign and four digits.
    const sign = text[end + 1] === '-' ? -1 : text[end + 1] === '+' ? 1 : 0;
    const hours = digits(text, end + 2, 2);
    const minutes = digits(text, end + 4, 2);
    if (text[end] !== ' ' || sign === 0 || hours < 0 || minutes < 0 || text.length !== end + 6) {
      return undefined;
    }
    offset = sign * (hours * 60 + minutes);
  }
  return fromParts(
    digits(text, 7, 4),
    month,
    digits(text, 0, 2),
    digits(text, 12, 2),
    digits(text, 15, 2),
    digits(text, 18, 2),
    fractionMs,
    offset,
  );
}

// `Wed Oct 11 14:32:52 2000`, `Wed Oct 11 14:32:52.123456 2000` (Apache 2.2 and 2.4 error logs).
const APACHE_ERROR_DATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? (\d{4})$/;

/** An Apache error log date; it carries no zone, so it is read at `utcOffsetMinutes`. */
export function apacheErrorDateToMs(text: string, utcOffsetMinutes = 0): number | undefined {
  const match = APACHE_ERROR_DATE.exec(text);
  if (!match) return undefined;
  const [, month, day, hour, minute, second, fraction, year] = match;
  return fromParts(
    +year,
    MONTHS[month],
    +day,
    +hour,
    +minute,
    +second,
    fraction ? Number(`0.${fraction.slice(0, 6)}`) * 1000 : 0,
    utcOffsetMinutes,
  );
}

/** An nginx error log date, `2016/10/25 14:49:34`; zone-less, read at `utcOffsetMinutes`. */
export function nginxErrorDateToMs(text: string, utcOffsetMinutes = 0): number | undefined {
  if (text.length !== 19 || text[4] !== '/' || text[7] !== '/' || text[10] !== ' ') {
    return undefined;
  }
  if (text[13] !== ':' || text[16] !== ':') return undefined;
  return fromParts(
    digits(text, 0, 4),
    digits(text, 5, 2) - 1,
    digits(text, 8, 2),
    digits(text, 11, 2),
    digits(text, 14, 2),
    digits(text, 17, 2),
    0,
    utcOffsetMinutes,
  );
}

/** Milliseconds since the epoch from checked calendar parts; undefined for an impossible date. */
function fromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fractionMs: number,
  offsetMinutes: number,
): number | undefined {
  if (year < 0 || month < 0 || month > 11 || day < 1 || day > daysInMonth(year, month)) {
    return undefined;
  }
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
    return undefined;
  }
  return Date.UTC(year, month, day, hour, minute, second) + fractionMs - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 1) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 3 || month === 5 || month === 8 || month === 10 ? 30 : 31;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** The number written by `count` ASCII digits at `start`, or -1 when one is not a digit. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const code = text.charCodeAt(i);
    if (!isDigit(code)) return -1;
    value = value * 10 + (code - 48);
  }
  return value;
}
