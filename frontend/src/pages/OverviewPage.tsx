import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  getAggregate,
  getHistogram,
  getSlowestEndpoints,
  getSummary,
  type LogQuery,
} from '../api/logs';
import { LevelHistogram } from '../components/charts/LevelHistogram';
import { compactNumber, TimeChart } from '../components/charts/TimeChart';
import { PageHeader } from '../components/PageHeader';
import { StatCard } from '../components/StatCard';
import { InlineError } from '../components/States';
import { TimeRangePicker } from '../components/TimeRangePicker';
import { usePipelineMetrics } from '../hooks/usePipelineMetrics';
import { ERROR_LEVELS, LEVEL_CHART_COLORS } from '../levels';
import { writeSearchState } from '../search/search-params';
import { useTheme } from '../theme';
import { DEFAULT_RANGE, resolveRange, type TimeRange } from '../time';
import { ActiveAlertsPanel } from './alerts/ActiveAlertsPanel';

const REFRESH_MS = 30_000;

function searchLink(q: string, range: TimeRange): string {
  return `/search?${writeSearchState({ q, range, levels: [], sources: [] })}`;
}

const percent = (value: number) =>
  `${Number.isInteger(value) || value >= 10 ? value.toFixed(0) : value.toFixed(1)}%`;

export function OverviewPage() {
  const theme = useTheme();
  const [range, setRange] = useState<TimeRange>(DEFAULT_RANGE);
  const [tick, setTick] = useState(0);
  const query: LogQuery = useMemo(() => {
    const resolved = resolveRange(range);
    return { q: '', from: resolved.from, to: resolved.to, levels: [], sources: [] };
    // `tick` moves a relative range to now on refresh.
  }, [range, tick]);

  const common = { placeholderData: keepPreviousData, refetchInterval: REFRESH_MS };
  const histogram = useQuery({
    queryKey: ['overview-histogram', query],
    queryFn: ({ signal }) => getHistogram(query, {}, signal),
    ...common,
  });
  const summary = useQuery({
    queryKey: ['overview-summary', query],
    queryFn: ({ signal }) => getSummary(query, signal),
    ...common,
  });
  const sources = useQuery({
    queryKey: ['overview-sources', query],
    queryFn: ({ signal }) => getAggregate(query, { groupBy: 'source', limit: 8 }, signal),
    ...common,
  });
  const slowest = useQuery({
    queryKey: ['overview-slowest', query],
    queryFn: ({ signal }) => getSlowestEndpoints(query, 8, signal),
    ...common,
  });
  const pipeline = usePipelineMetrics();

  // Error share per bucket, from the per-level histogram.
  const errorRate = useMemo(() => {
    const data = histogram.data;
    if (!data) return null;
    const errors = new Array<number>(data.buckets.length).fill(0);
    for (const series of data.series) {
      if ((ERROR_LEVELS as readonly string[]).includes(series.name)) {
        series.counts.forEach((c, i) => (errors[i] += c));
      }
    }
    return {
      x: data.buckets.map((b) => Date.parse(b.ts)),
      values: data.buckets.map((b, i) => (b.count === 0 ? null : (errors[i] / b.count) * 100)),
    };
  }, [histogram.data]);

  const pipelineChart = useMemo(
    () => ({
      x: pipeline.points.map((p) => p.at),
      rate: pipeline.points.map((p) => p.ingestRate),
      depth: pipeline.points.map((p) => p.queueDepth),
    }),
    [pipeline.points],
  );

  const s = summary.data;
  const colors = LEVEL_CHART_COLORS[theme];
  const firstError = histogram.error ?? summary.error ?? sources.error ?? slowest.error;

  return (
    <div className="page page-scroll">
      <PageHeader
        title="Overview"
        description="What your systems logged, and how the pipeline keeps up."
        actions={
          <>
            <TimeRangePicker value={range} onChange={setRange} />
            <button type="button" className="button" onClick={() => setTick((t) => t + 1)}>
              Refresh
            </button>
          </>
        }
      />
      <InlineError error={firstError} />

      <div className="stat-grid">
        <StatCard
          label="Lines"
          value={s ? s.total.toLocaleString() : '…'}
          detail="in the time range"
          testId="stat-lines"
        />
        <StatCard
          label="Errors"
          value={s ? percent(s.errorPercentage) : '…'}
          detail={s ? `${s.errors.toLocaleString()} lines at error or worse` : ' '}
          tone={
            s && s.errorPercentage >= 5 ? 'bad' : s && s.errorPercentage >= 1 ? 'warn' : undefined
          }
          testId="stat-errors"
        />
        <StatCard
          label="Ingest rate"
          value={pipeline.ingestRate === null ? '…' : `${compactNumber(pipeline.ingestRate)}/s`}
          detail="lines stored per second, now"
          testId="stat-ingest"
        />
        <StatCard
          label="Queue depth"
          value={pipeline.queueDepth === null ? '…' : pipeline.queueDepth.toLocaleString()}
          detail={
            pipeline.failedJobs > 0
              ? `batches waiting · ${pipeline.failedJobs} failed`
              : 'batches waiting to be stored'
          }
          tone={pipeline.queueDepth !== null && pipeline.queueDepth > 50 ? 'warn' : undefined}
          testId="stat-queue"
        />
      </div>

      <div className="grid-2-1">
        <section className="panel" aria-labelledby="ov-volume">
          <div className="panel-head">
            <h2 id="ov-volume">Volume by level</h2>
            {histogram.data && <span className="dim">{histogram.data.interval} buckets</span>}
          </div>
          {histogram.data ? (
            <LevelHistogram
              data={histogram.data}
              height={190}
              testId="overview-volume"
              onSelectRange={(from, to) =>
                setRange({ from: new Date(from).toISOString(), to: new Date(to).toISOString() })
              }
            />
          ) : (
            <div className="chart-placeholder tall" />
          )}
        </section>
        <ActiveAlertsPanel />
      </div>

      <div className="grid-2">
        <section className="panel" aria-labelledby="ov-errors">
          <div className="panel-head">
            <h2 id="ov-errors">Error rate</h2>
            <span className="dim">share of lines at error or worse</span>
          </div>
          {errorRate ? (
            <TimeChart
              x={errorRate.x}
              kind="line"
              height={150}
              label="Error rate over time, in percent"
              formatValue={percent}
              series={[{ label: 'errors', color: colors.error, values: errorRate.values }]}
            />
          ) : (
            <div className="chart-placeholder" />
          )}
        </section>
        <section className="panel" aria-labelledby="ov-pipeline">
          <div className="panel-head">
            <h2 id="ov-pipeline">Pipeline</h2>
            <span className="dim">since this page opened, every 5 s</span>
          </div>
          {pipelineChart.x.length > 1 ? (
            <TimeChart
              x={pipelineChart.x}
              kind="line"
              height={150}
              label="Lines stored per second and ingest queue depth"
              series={[
                { label: 'lines/s stored', color: colors.notice, values: pipelineChart.rate },
                { label: 'queued batches', color: colors.warning, values: pipelineChart.depth },
              ]}
            />
          ) : (
            <div className="chart-placeholder">
              <span className="dim">Collecting samples from /metrics…</span>
            </div>
          )}
          <InlineError error={pipeline.error} />
        </section>
      </div>

      <div className="grid-3">
        <section className="panel" aria-labelledby="ov-sources">
          <div className="panel-head">
            <h2 id="ov-sources">Top sources</h2>
          </div>
          <RankTable
            rows={(sources.data?.groups ?? []).map((g) => ({
              key: g.key,
              value: g.count,
              link: searchLink(`source:"${g.key.replace(/["\\]/g, '\\$&')}"`, range),
            }))}
            unit="lines"
            empty="No lines in this range."
          />
        </section>
        <section className="panel" aria-labelledby="ov-endpoints">
          <div className="panel-head">
            <h2 id="ov-endpoints">Top endpoints</h2>
          </div>
          <RankTable
            rows={(s?.topEndpoints ?? []).map((e) => ({
              key: e.path,
              value: e.count,
              link: searchLink(`path:"${e.path.replace(/["\\]/g, '\\$&')}"`, range),
            }))}
            unit="requests"
            empty="No request paths in this range."
          />
        </section>
        <section className="panel" aria-labelledby="ov-slowest">
          <div className="panel-head">
            <h2 id="ov-slowest">Slowest endpoints</h2>
            <span className="dim">by p95 latency</span>
          </div>
          {slowest.data && slowest.data.endpoints.length > 0 ? (
            <table className="data-table compact">
              <thead>
                <tr>
                  <th scope="col">Path</th>
                  <th scope="col" className="num">
                    p50
                  </th>
                  <th scope="col" className="num">
                    p95
                  </th>
                  <th scope="col" className="num">
                    p99
                  </th>
                </tr>
              </thead>
              <tbody>
                {slowest.data.endpoints.map((e) => (
                  <tr key={e.path}>
                    <td className="mono truncate" title={`${e.path} · ${e.count} requests`}>
                      {e.path}
                    </td>
                    <td className="num">{Math.round(e.p50Ms)} ms</td>
                    <td className="num strong">{Math.round(e.p95Ms)} ms</td>
                    <td className="num">{Math.round(e.p99Ms)} ms</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="dim">{slowest.isPending ? 'Loading…' : 'No latencies in this range.'}</p>
          )}
        </section>
      </div>
    </div>
  );
}

function RankTable({
  rows,
  unit,
  empty,
}: {
  rows: { key: string; value: number; link: string }[];
  unit: string;
  empty: string;
}) {
  if (rows.length === 0) return <p className="dim">{empty}</p>;
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <ol className="rank-list">
      {rows.map((row) => (
        <li key={row.key}>
          <Link to={row.link} className="rank-key mono" title={`Search ${row.key}`}>
            {row.key}
          </Link>
          <span className="rank-value">
            {row.value.toLocaleString()} <span className="dim">{unit}</span>
          </span>
          <span className="rank-bar" style={{ width: `${(row.value / max) * 100}%` }} />
        </li>
      ))}
    </ol>
  );
}
