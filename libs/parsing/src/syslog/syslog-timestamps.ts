import { isoToMs } from '../timestamps';
import type { SyslogParseOptions } from './syslog-message';

/** A timestamp read at the start of a syslog header. */
export interface SyslogTimestamp {
  ts: number;
  hadYear: boolean;
  hadZone: boolean;
  /** Characters it takes in the text. */
  length: number;
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

// `Aug  6 17:26:31`, `Apr 4 03:39:57`, `Aug 06 2024 17:26:31.123` (the day may be space-padded).
const BSD_TIMESTAMP =
  /^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?= |$)/i;

// RFC 3339 as RFC 5424 uses it; a zone-less one is accepted too (seen in rsyslog files).
const ISO_TIMESTAMP =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(Z|[+-]\d{2}(?::?\d{2})?)?(?= |$)/i;

/** A year-less line may be this far ahead of `now` (clock skew, a sender in another zone). */
const FUTURE_TOLERANCE_MS = 31 * 24 * 3600_000;

export function readIsoTimestamp(
  text: string,
  options: SyslogParseOptions,
): SyslogTimestamp | undefined {
  const match = ISO_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const utc = isoToMs(match[0]);
  if (utc === undefined) return undefined;
  const hadZone = match[1] !== undefined;
  // isoToMs reads a zone-less time as UTC; move it to the configured zone.
  const ts = hadZone ? utc : utc - offsetMs(options);
  return { ts, hadYear: true, hadZone, length: match[0].length };
}

export function readBsdTimestamp(
  text: string,
  options: SyslogParseOptions,
): SyslogTimestamp | undefined {
  const match = BSD_TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [whole, monthName, dayText, yearText, hourText, minuteText, secondText, fraction] = match;
  const month = MONTHS[monthName.toLowerCase()];
  const [day, hour, minute, second] = [dayText, hourText, minuteText, secondText].map(Number);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const fractionMs = fraction ? Number(`0.${fraction.slice(0, 6)}`) * 1000 : 0;

  const at = (year: number): number | undefined => {
    const local = Date.UTC(year, month, day, hour, minute, second);
    // Date.UTC rolls Feb 30 over into March: such a day does not exist in that year.
    if (new Date(local).getUTCDate() !== day) return undefined;
    return local - offsetMs(options) + fractionMs;
  };

  if (yearText !== undefined) {
    const ts = at(Number(yearText));
    return ts === undefined
      ? undefined
      : { ts, hadYear: true, hadZone: false, length: whole.length };
  }
  const ts = withInferredYear(at, options);
  return ts === undefined
    ? undefined
    : { ts, hadYear: false, hadZone: false, length: whole.length };
}

/**
 * The most recent year that puts the time at most ~1 month after `now`: a December line read in
 * January is from last year, a January line read on 30 December (sender clock a little ahead) is
 * from the coming one. Goes back up to four years so that `Feb 29` always finds a leap year.
 */
function withInferredYear(
  at: (year: number) => number | undefined,
  options: SyslogParseOptions,
): number | undefined {
  const localYear = new Date(options.now + offsetMs(options)).getUTCFullYear();
  for (let year = localYear + 1; year >= localYear - 4; year--) {
    const ts = at(year);
    if (ts !== undefined && ts <= options.now + FUTURE_TOLERANCE_MS) return ts;
  }
  return undefined;
}

function offsetMs(options: SyslogParseOptions): number {
  return (options.defaultUtcOffsetMinutes ?? 0) * 60_000;
}
