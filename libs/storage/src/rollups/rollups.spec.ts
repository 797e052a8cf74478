import { parseQuery } from '../query';
import { BatchRollup, type RollupLine } from './batch-rollup';
import { HISTOGRAM_COLUMNS, LATENCY_BOUNDS, latencyBucket, ROLLUP_COLUMNS } from './rollup-columns';
import { filterFitsRollups, rollupPieces } from './rollup-rows';

const line = (overrides: Partial<RollupLine>): RollupLine => ({
  ts: '2026-11-21T10:00:00.000000Z',
  level: 6,
  source: 'app',
  host: 'web-1',
  statusCode: 200,
  method: 'GET',
  path: '/api/orders',
  latencyMs: null,
  ...overrides,
});

describe('latencyBucket', () => {
  it('counts the bounds at or below the value, as width_bucket does', () => {
    expect(latencyBucket(-5)).toBe(0);
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.5)).toBe(1);
    expect(latencyBucket(0.999)).toBe(1);
    expect(latencyBucket(1)).toBe(2);
    expect(latencyBucket(299_999)).toBe(LATENCY_BOUNDS.length - 1);
    expect(latencyBucket(300_000)).toBe(LATENCY_BOUNDS.length);
    expect(latencyBucket(1e12)).toBe(HISTOGRAM_COLUMNS.length - 1);
    LATENCY_BOUNDS.forEach((bound, i) => expect(latencyBucket(bound)).toBe(i + 1));
  });
});

/** A batch's lines through BatchRollup, as the batch encoder feeds it. */
function batchRollupCopy(lines: RollupLine[]): string[] {
  const rollup = new BatchRollup();
  for (const line of lines) rollup.add(line);
  return rollup.copyLines();
}

describe('BatchRollup', () => {
  it('makes one row per minute and dimensions, with counts, latency measures and histogram', () => {
    const rows = batchRollupCopy([
      line({ ts: '2026-11-21T10:00:59.999999Z', latencyMs: 12 }),
      line({ ts: '2026-11-21T10:00:01.000000Z', latencyMs: 0.25 }),
      line({ ts: '2026-11-21T10:00:02.000000Z' }),
      line({ ts: '2026-11-21T10:01:00.000000Z', latencyMs: 7 }),
      line({ host: null, path: 'tab\there' }),
      line({ latencyMs: Number.NaN }),
    ]).map((row) =>
      Object.fromEntries(row.split('\t').map((cell, i) => [ROLLUP_COLUMNS[i], cell])),
    );
    expect(rows).toHaveLength(3);
    const [first, second, third] = rows;
    expect(first).toMatchObject({
      bucket: '2026-11-21T10:00:00Z',
      source: 'app',
      level: '6',
      host: 'web-1',
      status_code: '200',
      method: 'GET',
      path: '/api/orders',
      lines: '4',
      latency_count: '2',
      latency_sum: '12.25',
      latency_min: '0.25',
      latency_max: '12',
      h00: '1',
      [`h${String(latencyBucket(12)).padStart(2, '0')}`]: '1',
    });
    const filled = HISTOGRAM_COLUMNS.filter((column) => first[column] !== '\\N');
    expect(filled).toHaveLength(2);
    expect(second).toMatchObject({
      bucket: '2026-11-21T10:01:00Z',
      lines: '1',
      latency_count: '1',
    });
    expect(third).toMatchObject({
      host: '\\N',
      path: 'tab\\there',
      lines: '1',
      latency_count: '0',
      latency_sum: '0',
      latency_min: '\\N',
      h00: '\\N',
    });
  });
});

describe('rollupPieces', () => {
  const M = 60_000;
  const H = 3_600_000;
  const t = Date.UTC(2026, 10, 21, 10);

  it('reads partial minutes from the lines, whole minutes and hours from rollups', () => {
    expect(rollupPieces(t - 90 * M - 500, t + 2 * H + 30 * M + 10, true)).toEqual([
      { kind: 'lines', from: t - 90 * M - 500, to: t - 90 * M },
      { kind: 'minutes', from: t - 90 * M, to: t - H },
      { kind: 'hours', from: t - H, to: t + 2 * H },
      { kind: 'minutes', from: t + 2 * H, to: t + 2 * H + 30 * M },
      { kind: 'lines', from: t + 2 * H + 30 * M, to: t + 2 * H + 30 * M + 10 },
    ]);
    expect(rollupPieces(t, t + 3 * H, false)).toEqual([
      { kind: 'minutes', from: t, to: t + 3 * H },
    ]);
    expect(rollupPieces(t + 1000, t + 50_000, true)).toEqual([
      { kind: 'lines', from: t + 1000, to: t + 50_000 },
    ]);
  });
});

describe('filterFitsRollups', () => {
  it.each([
    [null, true],
    ['level:error source:nginx -host:web-1', true],
    ['status:>=500 OR path:/api/*', true],
    ['method:get status:*', true],
    ['timeout', false],
    ['latency_ms:>100', false],
    ['fields.user:ann', false],
    ['path:/x OR "payment declined"', false],
  ])('%s → %s', (query, expected) => {
    expect(
      filterFitsRollups({ levels: [3], query: query === null ? null : parseQuery(query) }),
    ).toBe(expected);
  });
});
