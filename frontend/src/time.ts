/**
 * Time ranges as the dashboard keeps them: each bound is `now`, `now-<n><unit>` or an ISO 8601
 * date-time. Relative ranges are resolved to ISO once per search, so every panel of a page shows
 * exactly the same range.
 */
export interface TimeRange {
  from: string;
  to: string;
}

export interface ResolvedRange {
  from: string;
  to: string;
}

const RELATIVE = /^now(?:-(\d+)([smhdw]))?$/;
const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};
const UNIT_NAME: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
};

export const RELATIVE_PRESETS: readonly { from: string; label: string }[] = [
  { from: 'now-5m', label: 'Last 5 minutes' },
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-1h', label: 'Last hour' },
  { from: 'now-4h', label: 'Last 4 hours' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-7d', label: 'Last 7 days' },
  { from: 'now-30d', label: 'Last 30 days' },
];

export const DEFAULT_RANGE: TimeRange = { from: 'now-24h', to: 'now' };

export function isRelative(bound: string): boolean {
  return RELATIVE.test(bound);
}

export function isValidBound(bound: string): boolean {
  return isRelative(bound) || !Number.isNaN(Date.parse(bound));
}

/** Milliseconds since the epoch for a bound, relative to `now`. */
export function boundToMs(bound: string, now: number): number {
  const match = RELATIVE.exec(bound);
  if (match) return match[1] ? now - Number(match[1]) * UNIT_MS[match[2]] : now;
  return Date.parse(bound);
}

export function resolveRange(range: TimeRange, now = Date.now()): ResolvedRange {
  return {
    from: new Date(boundToMs(range.from, now)).toISOString(),
    to: new Date(boundToMs(range.to, now)).toISOString(),
  };
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** `2024-05-01 14:03` in local time. */
export function formatMinute(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Value for an <input type="datetime-local"> (local time, minutes). */
export function toLocalInput(ms: number): string {
  return formatMinute(ms).replace(' ', 'T');
}

/** ISO from an <input type="datetime-local"> value; null when empty or invalid. */
export function fromLocalInput(value: string): string | null {
  if (value === '') return null;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function describeRange(range: TimeRange): string {
  if (range.to === 'now') {
    const preset = RELATIVE_PRESETS.find((p) => p.from === range.from);
    if (preset) return preset.label;
    const match = RELATIVE.exec(range.from);
    if (match?.[1]) {
      const n = Number(match[1]);
      return `Last ${n} ${UNIT_NAME[match[2]]}${n === 1 ? '' : 's'}`;
    }
  }
  const now = Date.now();
  return `${formatMinute(boundToMs(range.from, now))} → ${
    range.to === 'now' ? 'now' : formatMinute(boundToMs(range.to, now))
  }`;
}

/** `3 min ago`, `2 h ago`, `5 d ago` for recent times. */
export function formatAgo(iso: string | number, now = Date.now()): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const seconds = Math.round((now - ms) / 1000);
  if (seconds < 0) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}
