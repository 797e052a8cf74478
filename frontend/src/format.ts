function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** Parses an API timestamp; fractions finer than milliseconds are dropped. */
export function parseTimestamp(iso: string): Date {
  return new Date(iso.replace(/(\.\d{3})\d+/, '$1'));
}

/** `2024-05-01 14:03:07.123` in the browser's time zone; the input unchanged if unparsable. */
export function formatLocalTime(iso: string): string {
  const d = parseTimestamp(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`
  );
}

/** `14:03:07` for "updated at" hints. */
export function formatClock(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A structured field value as text: strings as they are, everything else as JSON. */
export function formatFieldValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'undefined';
  try {
    return typeof value === 'object' && value !== null
      ? JSON.stringify(value, null, 2)
      : JSON.stringify(value);
  } catch {
    return String(value);
  }
}
