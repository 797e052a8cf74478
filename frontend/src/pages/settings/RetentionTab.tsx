import type { RetentionPolicy, SourceRetention, StorageEstimate } from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import {
  getRetentionLog,
  getRetentionPolicy,
  getStorageEstimate,
  listRetentionRuns,
  runRetention,
  updateRetentionPolicy,
} from '../../api/retention';
import { TimeChart } from '../../components/charts/TimeChart';
import { StatCard } from '../../components/StatCard';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { formatBytes, formatLocalTime } from '../../format';
import { useCan } from '../../session';
import { useTheme } from '../../theme';
import { formatAgo } from '../../time';
import { historyDays } from './history-days';

const POLICY = ['retention-policy'] as const;
const ESTIMATE = ['retention-estimate'] as const;
const GB = 1024 ** 3;

function days(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  if (!Number.isFinite(value)) return 'unlimited';
  return value >= 10 ? `${Math.round(value)} days` : `${value.toFixed(1)} days`;
}

export function RetentionTab() {
  const policy = useQuery({
    queryKey: POLICY,
    queryFn: ({ signal }) => getRetentionPolicy(signal),
  });
  const estimate = useQuery({
    queryKey: ESTIMATE,
    queryFn: ({ signal }) => getStorageEstimate(signal),
    refetchInterval: 60_000,
  });
  if (policy.isPending || estimate.isPending) return <Loading />;
  if (policy.isError)
    return <ErrorState title="Could not load the retention policy" error={policy.error} />;
  if (estimate.isError)
    return <ErrorState title="Could not load the storage estimate" error={estimate.error} />;
  return <Retention key={policy.data.updatedAt} policy={policy.data} estimate={estimate.data} />;
}

function Retention({ policy, estimate }: { policy: RetentionPolicy; estimate: StorageEstimate }) {
  const admin = useCan('admin');
  const theme = useTheme();
  const queryClient = useQueryClient();
  const [maxAge, setMaxAge] = useState(policy.maxAgeDays?.toString() ?? '');
  const [budgetGb, setBudgetGb] = useState(
    policy.diskBudgetBytes === null
      ? ''
      : String(Math.round((policy.diskBudgetBytes / GB) * 100) / 100),
  );
  const [sources, setSources] = useState<SourceRetention[]>(policy.sources);
  const [archive, setArchive] = useState(policy.archive);
  const [intervalMinutes, setIntervalMinutes] = useState(String(policy.intervalMinutes));

  const growth = estimate.ingestBytesPerDay ?? estimate.bytesPerDay;
  const draftAge = maxAge.trim() === '' ? null : Number(maxAge);
  const draftBudget = budgetGb.trim() === '' ? null : Number(budgetGb) * GB;
  const projected = historyDays(draftAge, draftBudget, growth);

  const save = useMutation({
    mutationFn: () =>
      updateRetentionPolicy({
        maxAgeDays: draftAge,
        diskBudgetBytes: draftBudget === null ? null : Math.round(draftBudget),
        sources: sources.filter((s) => s.source.trim() !== ''),
        archive,
        intervalMinutes: Number(intervalMinutes),
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: POLICY });
      void queryClient.invalidateQueries({ queryKey: ESTIMATE });
    },
  });
  const run = useMutation({
    mutationFn: () => runRetention(10),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ESTIMATE });
      void queryClient.invalidateQueries({ queryKey: ['retention-log'] });
      void queryClient.invalidateQueries({ queryKey: ['retention-runs'] });
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const usage = useMemo(() => {
    const list = [...estimate.days].reverse();
    return {
      x: list.map((d) => Date.parse(`${d.day}T00:00:00Z`)),
      bytes: list.map((d) => d.bytes),
    };
  }, [estimate.days]);

  const expected = estimate.expectedHistoryDays;
  return (
    <div className="stack">
      <div className="stat-grid">
        <StatCard
          label="Days of history remaining"
          value={expected === null ? 'unlimited' : days(expected)}
          detail={
            estimate.maxAgeDays === null && estimate.diskBudgetBytes === null
              ? 'no age or disk limit set'
              : `age limit ${days(estimate.maxAgeDays)} · budget holds ${days(estimate.budgetDaysOfHistory)}`
          }
          tone={
            expected !== null && estimate.maxAgeDays !== null && expected < estimate.maxAgeDays
              ? 'warn'
              : undefined
          }
          testId="retention-days"
        />
        <StatCard
          label="Disk used by logs"
          value={formatBytes(estimate.totalBytes)}
          detail={
            estimate.diskBudgetBytes === null
              ? 'no disk budget'
              : `of ${formatBytes(estimate.diskBudgetBytes)} budget (${Math.round((estimate.totalBytes / estimate.diskBudgetBytes) * 100)}%)`
          }
          tone={
            estimate.diskBudgetBytes !== null &&
            estimate.totalBytes > estimate.diskBudgetBytes * 0.9
              ? 'warn'
              : undefined
          }
        />
        <StatCard
          label="Growth"
          value={growth === null ? '—' : `${formatBytes(growth)}/day`}
          detail={`${estimate.ingestLinesPerSecond.toFixed(1)} lines/s over the last 5 min`}
        />
        <StatCard
          label="Oldest line"
          value={estimate.historyDays === null ? '—' : days(estimate.historyDays)}
          detail={
            estimate.oldestLine ? `${formatLocalTime(estimate.oldestLine)}` : 'nothing stored yet'
          }
        />
      </div>

      <div className="grid-2 align-start">
        <form className="panel form" onSubmit={onSubmit} aria-labelledby="ret-policy">
          <h2 id="ret-policy">Policy</h2>
          <fieldset className="plain" disabled={!admin}>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="ret-age">Keep lines for (days)</label>
                <input
                  id="ret-age"
                  type="number"
                  min={1}
                  value={maxAge}
                  placeholder="forever"
                  onChange={(e) => setMaxAge(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="ret-budget">Disk budget (GB)</label>
                <input
                  id="ret-budget"
                  type="number"
                  min={0.01}
                  step="any"
                  value={budgetGb}
                  placeholder="no limit"
                  onChange={(e) => setBudgetGb(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="ret-interval">Run every (minutes)</label>
                <input
                  id="ret-interval"
                  type="number"
                  min={1}
                  value={intervalMinutes}
                  onChange={(e) => setIntervalMinutes(e.target.value)}
                />
              </div>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={archive}
                onChange={(e) => setArchive(e.target.checked)}
              />
              Archive lines to <code>{policy.archiveDir}</code> before they are removed
            </label>

            <h3 className="section-title">Shorter ages per source</h3>
            {sources.length === 0 && <p className="dim">Every source keeps the global age.</p>}
            {sources.map((s, i) => (
              <div key={i} className="form-row">
                <div className="field grow">
                  <label htmlFor={`ret-src-${i}`}>Source</label>
                  <input
                    id={`ret-src-${i}`}
                    className="mono"
                    value={s.source}
                    onChange={(e) =>
                      setSources((list) =>
                        list.map((x, j) => (j === i ? { ...x, source: e.target.value } : x)),
                      )
                    }
                  />
                </div>
                <div className="field">
                  <label htmlFor={`ret-src-age-${i}`}>Days</label>
                  <input
                    id={`ret-src-age-${i}`}
                    type="number"
                    min={1}
                    value={s.maxAgeDays}
                    onChange={(e) =>
                      setSources((list) =>
                        list.map((x, j) =>
                          j === i ? { ...x, maxAgeDays: Number(e.target.value) } : x,
                        ),
                      )
                    }
                  />
                </div>
                <button
                  type="button"
                  className="button small"
                  onClick={() => setSources((list) => list.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              </div>
            ))}
            <div>
              <button
                type="button"
                className="button small"
                onClick={() => setSources((list) => [...list, { source: '', maxAgeDays: 7 }])}
              >
                Add a source age
              </button>
            </div>
          </fieldset>

          <p className="notice" role="status" data-testid="retention-projection">
            {projected === null && draftBudget !== null && growth === null ? (
              <>No growth measured yet: the days the disk budget holds show once lines arrive.</>
            ) : (
              <>
                With these settings, about{' '}
                <strong>{projected === null ? 'unlimited' : days(projected)}</strong> of history
                {growth !== null ? ` at the current growth of ${formatBytes(growth)}/day` : ''}.
              </>
            )}
          </p>
          <InlineError error={save.error} />
          {admin ? (
            <div className="form-actions">
              <button type="submit" className="button primary" disabled={save.isPending}>
                Save policy
              </button>
              <button
                type="button"
                className="button"
                disabled={run.isPending}
                onClick={() => run.mutate()}
              >
                {run.isPending ? 'Running…' : 'Run retention now'}
              </button>
            </div>
          ) : (
            <p className="hint">Only admins change the retention policy.</p>
          )}
          <InlineError error={run.error} />
          {run.data && (
            <p className="notice" role="status">
              Run {run.data.status}: {run.data.progress.actions} actions,{' '}
              {run.data.progress.rowsDeleted.toLocaleString()} rows deleted,{' '}
              {formatBytes(run.data.progress.bytesFreed)} freed.
            </p>
          )}
        </form>

        <section className="panel" aria-labelledby="ret-usage">
          <div className="panel-head">
            <h2 id="ret-usage">Disk use per day</h2>
            <span className="dim">{estimate.days.length} day partitions</span>
          </div>
          {usage.x.length > 0 ? (
            <TimeChart
              x={usage.x}
              kind="bars"
              height={180}
              label="Bytes of log data per day"
              bucketMs={86_400_000}
              formatValue={formatBytes}
              series={[
                {
                  label: 'bytes',
                  color: theme === 'dark' ? '#6f9ff5' : '#4f86e8',
                  values: usage.bytes,
                },
              ]}
            />
          ) : (
            <p className="dim">No data stored yet.</p>
          )}
          <RetentionLog />
        </section>
      </div>
      {admin && <RetentionRuns />}
    </div>
  );
}

function RetentionLog() {
  const log = useQuery({
    queryKey: ['retention-log'],
    queryFn: ({ signal }) => getRetentionLog({ limit: 20 }, signal),
  });
  return (
    <>
      <h3 className="section-title">Recent removals</h3>
      {log.isPending ? (
        <p className="dim">Loading…</p>
      ) : log.isError ? (
        <InlineError error={log.error} />
      ) : log.data.items.length === 0 ? (
        <p className="dim">Nothing removed yet.</p>
      ) : (
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">What</th>
              <th scope="col">Why</th>
              <th scope="col" className="num">
                Rows
              </th>
              <th scope="col" className="num">
                Freed
              </th>
            </tr>
          </thead>
          <tbody>
            {log.data.items.map((a) => (
              <tr key={a.id}>
                <td className="dim">{formatAgo(a.at)}</td>
                <td className="mono truncate" title={a.partition ?? a.source ?? ''}>
                  {a.action} {a.partition ?? a.source ?? ''}
                </td>
                <td>{a.reason}</td>
                <td className="num">{a.rows.toLocaleString()}</td>
                <td className="num">{formatBytes(a.bytesFreed)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function RetentionRuns() {
  const runs = useQuery({
    queryKey: ['retention-runs'],
    queryFn: ({ signal }) => listRetentionRuns(signal),
  });
  if (!runs.data || runs.data.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="ret-runs">
      <h2 id="ret-runs">Runs</h2>
      <table className="data-table compact">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Trigger</th>
            <th scope="col">Status</th>
            <th scope="col">Step</th>
            <th scope="col" className="num">
              Rows deleted
            </th>
            <th scope="col" className="num">
              Freed
            </th>
          </tr>
        </thead>
        <tbody>
          {runs.data.slice(0, 10).map((r) => (
            <tr key={r.id}>
              <td className="dim">{formatLocalTime(r.startedAt)}</td>
              <td>
                {r.trigger}
                {r.requestedBy && <span className="dim"> by {r.requestedBy}</span>}
              </td>
              <td>
                <span
                  className={`pill ${r.status === 'done' ? 'tone-good' : r.status === 'failed' ? 'tone-bad' : 'tone-warn'}`}
                >
                  {r.status}
                </span>
              </td>
              <td className="truncate" title={r.error ?? r.progress.step}>
                {r.error ?? r.progress.step}
              </td>
              <td className="num">{r.progress.rowsDeleted.toLocaleString()}</td>
              <td className="num">{formatBytes(r.progress.bytesFreed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
