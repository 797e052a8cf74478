// The dashboard's pure logic (no DOM): ring buffer, live-tail query composition, time ranges,
// Prometheus parsing, retention estimate and alert-rule settings.
import { parsePrometheus } from '../../frontend/src/api/prometheus';
import { composeTailQuery, quoteValue } from '../../frontend/src/live/compose-query';
import { RingBuffer } from '../../frontend/src/live/ring-buffer';
import { cleanSettings, visibleFields } from '../../frontend/src/pages/alerts/rule-settings';
import { historyDays } from '../../frontend/src/pages/settings/history-days';
import {
  boundToMs,
  describeRange,
  fromLocalInput,
  isValidBound,
  resolveRange,
} from '../../frontend/src/time';

describe('RingBuffer', () => {
  it('keeps the newest items in order and counts what it dropped', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect(ring.length).toBe(3);
    expect([0, 1, 2].map((i) => ring.get(i))).toEqual([3, 4, 5]);
    expect(ring.dropped).toBe(2);
    expect(ring.findIndex((n) => n === 4)).toBe(1);
    expect(() => ring.get(3)).toThrow(RangeError);
    ring.clear();
    expect(ring.length).toBe(0);
    expect(ring.dropped).toBe(2);
    ring.push(9);
    expect(ring.get(0)).toBe(9);
  });

  it('holds 100,000 lines without growing past its capacity', () => {
    const ring = new RingBuffer<number>(100_000);
    for (let i = 0; i < 250_000; i++) ring.push(i);
    expect(ring.length).toBe(100_000);
    expect(ring.get(0)).toBe(150_000);
    expect(ring.get(99_999)).toBe(249_999);
    expect(ring.dropped).toBe(150_000);
  });
});

describe('composeTailQuery', () => {
  it('adds source and host as exact terms after the user query', () => {
    expect(composeTailQuery('timeout OR refused', 'nginx', '')).toEqual({
      text: '(timeout OR refused) source:"nginx"',
      offset: 1,
    });
    expect(composeTailQuery('', 'a"b', 'web 1')).toEqual({
      text: 'source:"a\\"b" host:"web 1"',
      offset: 0,
    });
    expect(composeTailQuery('  level:error ', '', '')).toEqual({ text: 'level:error', offset: 0 });
  });

  it('escapes quotes and backslashes', () => {
    expect(quoteValue('C:\\logs "x"')).toBe('"C:\\\\logs \\"x\\""');
  });
});

describe('time ranges', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');

  it('resolves relative bounds against now and keeps absolute ones', () => {
    expect(resolveRange({ from: 'now-15m', to: 'now' }, now)).toEqual({
      from: '2026-11-21T11:45:00.000Z',
      to: '2026-11-21T12:00:00.000Z',
    });
    expect(boundToMs('now-7d', now)).toBe(now - 7 * 86_400_000);
    expect(boundToMs('2026-11-20T00:00:00Z', now)).toBe(Date.parse('2026-11-20T00:00:00Z'));
  });

  it('validates bounds and names ranges', () => {
    expect(isValidBound('now-24h')).toBe(true);
    expect(isValidBound('2026-11-20T00:00:00Z')).toBe(true);
    expect(isValidBound('yesterday')).toBe(false);
    expect(describeRange({ from: 'now-24h', to: 'now' })).toBe('Last 24 hours');
    expect(describeRange({ from: 'now-2h', to: 'now' })).toBe('Last 2 hours');
    expect(describeRange({ from: 'now-1m', to: 'now' })).toBe('Last 1 minute');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('not a date')).toBeNull();
  });
});

describe('parsePrometheus', () => {
  it('reads samples with labels and skips comments', () => {
    const text = [
      '# HELP lookout_queue_jobs Jobs in a queue by state',
      '# TYPE lookout_queue_jobs gauge',
      'lookout_queue_jobs{queue="ingest-raw",state="waiting"} 3',
      'lookout_queue_jobs{queue="ingest-raw",state="active"} 1',
      'lookout_pipeline_total{counter="lines_stored"} 1.5e6',
      'process_cpu_seconds_total 12.5',
      'weird{label="a \\"quoted\\" value"} 7',
    ].join('\n');
    expect(parsePrometheus(text)).toEqual([
      { name: 'lookout_queue_jobs', labels: { queue: 'ingest-raw', state: 'waiting' }, value: 3 },
      { name: 'lookout_queue_jobs', labels: { queue: 'ingest-raw', state: 'active' }, value: 1 },
      { name: 'lookout_pipeline_total', labels: { counter: 'lines_stored' }, value: 1_500_000 },
      { name: 'process_cpu_seconds_total', labels: {}, value: 12.5 },
      { name: 'weird', labels: { label: 'a "quoted" value' }, value: 7 },
    ]);
  });
});

describe('historyDays', () => {
  it('is the smaller of the age limit and what the disk budget holds', () => {
    const gb = 1024 ** 3;
    expect(historyDays(30, 10 * gb, gb)).toBe(10);
    expect(historyDays(7, 10 * gb, gb)).toBe(7);
    expect(historyDays(null, 10 * gb, 2 * gb)).toBe(5);
    expect(historyDays(14, null, gb)).toBe(14);
    expect(historyDays(null, null, gb)).toBeNull();
    expect(historyDays(null, 10 * gb, null)).toBeNull();
  });
});

describe('alert rule settings', () => {
  it('sends only the settings of the type and mode that have a value', () => {
    expect(
      cleanSettings('threshold', {
        metric: 'count',
        operator: '>',
        threshold: 10,
        windowSeconds: Number.NaN,
        zScore: 3,
      }),
    ).toEqual({ metric: 'count', operator: '>', threshold: 10 });
    const numeric = { mode: 'numeric', field: 'latency_ms', similarity: 0.5 };
    expect(visibleFields('anomaly', numeric).map((f) => f.key)).toContain('field');
    expect(cleanSettings('anomaly', numeric)).toEqual({ mode: 'numeric', field: 'latency_ms' });
  });
});
