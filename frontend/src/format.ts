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

/** `14:03:07.123` of an API timestamp, in local time. */
export function formatClockMs(iso: string): string {
  const d = parseTimestamp(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** Bytes as `12.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
