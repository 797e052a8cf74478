import { readBsdTimestamp } from '../syslog/syslog-timestamps';
import { isoToMs, timestampFromValue } from '../timestamps';
import type { PipelineContext } from './pipeline.types';

const EPOCH = /^\d+(?:\.\d+)?$/;
const ENDS_WITH_ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;
// `10/Oct/2000:13:55:36 -0700` (grok HTTPDATE, Apache and nginx access logs).
const HTTP_DATE = /^(\d{1,2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}(?:\.\d+)?) ([+-]\d{4})$/;
const MONTHS = 'janfebmaraprmayjunjulaugsepoctnovdec';

/**
 * A captured timestamp in ms: epoch numbers, ISO 8601, HTTPDATE and BSD syslog (`Aug  6 17:26:31`,
 * year inferred from the received time). Zone-less times are read in `utcOffsetMinutes`.
 */
export function timestampFromCapture(value: unknown, context: PipelineContext): number | undefined {
  if (typeof value === 'number') return timestampFromValue(value);
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  const offsetMs = (context.utcOffsetMinutes ?? 0) * 60_000;
  if (EPOCH.test(text)) return timestampFromValue(text);
  const iso = isoToMs(text);
  if (iso !== undefined) return ENDS_WITH_ZONE.test(text) ? iso : iso - offsetMs;
  const httpDate = HTTP_DATE.exec(text);
  if (httpDate) {
    const [, day, monthName, year, time, zone] = httpDate;
    const month = MONTHS.indexOf(monthName.toLowerCase()) / 3 + 1;
    if (!Number.isInteger(month) || month < 1) return undefined;
    const pad = (n: number | string) => String(n).padStart(2, '0');
    return isoToMs(`${year}-${pad(month)}-${pad(day)}T${time}${zone}`);
  }
  const bsd = readBsdTimestamp(text, {
    now: context.receivedAt,
    defaultUtcOffsetMinutes: context.utcOffsetMinutes,
  });
  return bsd?.length === text.length ? bsd.ts : undefined;
}
