import { ALERT_SEVERITIES, type AlertSeverity } from '@app/contracts';
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { listAlertRules, listAlerts, type AlertFilter } from '../../api/alerting';
import { Empty, ErrorState, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { SeverityPill, StatePill } from './alert-ui';
import { RULES } from './RulesTab';
import { Options } from '../../components/Options';

const STATES = ['open', 'firing', 'pending', 'resolved'] as const;

function duration(fromIso: string, toIso: string | null): string {
  const seconds = Math.round(
    ((toIso ? Date.parse(toIso) : Date.now()) - Date.parse(fromIso)) / 1000,
  );
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function HistoryTab() {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const state = (params.get('state') ?? '') as AlertFilter['state'] | '';
  const severity = (params.get('severity') ?? '') as AlertSeverity | '';
  const ruleId = params.get('rule') ?? '';
  const rules = useQuery({ queryKey: RULES, queryFn: ({ signal }) => listAlertRules(signal) });
  const filter: AlertFilter = {
    state: state || undefined,
    severity: severity || undefined,
    ruleId: ruleId || undefined,
    limit: 50,
  };
  const alerts = useInfiniteQuery({
    queryKey: ['alerts', filter],
    queryFn: ({ pageParam, signal }) => listAlerts(filter, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const items = alerts.data?.pages.flatMap((p) => p.items) ?? [];

  function setParam(key: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  return (
    <section aria-label="Alert history" className="stack">
      <div className="form-row">
        <div className="field">
          <label htmlFor="hist-state">State</label>
          <select
            id="hist-state"
            className="select"
            value={state}
            onChange={(e) => setParam('state', e.target.value)}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s === 'open' ? 'open (pending or firing)' : s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="hist-severity">Severity</label>
          <select
            id="hist-severity"
            className="select"
            value={severity}
            onChange={(e) => setParam('severity', e.target.value)}
          >
            <option value="">any</option>
            <Options values={ALERT_SEVERITIES} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="hist-rule">Rule</label>
          <select
            id="hist-rule"
            className="select"
            value={ruleId}
            onChange={(e) => setParam('rule', e.target.value)}
          >
            <option value="">any</option>
            {(rules.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      {alerts.isPending ? (
        <Loading />
      ) : alerts.isError ? (
        <ErrorState title="Could not load alerts" error={alerts.error} />
      ) : items.length === 0 ? (
        <Empty title="No alerts">
          <p>Nothing has fired{state || severity || ruleId ? ' with these filters' : ' yet'}.</p>
        </Empty>
      ) : (
        <table className="data-table" data-testid="alerts-table">
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">State</th>
              <th scope="col">Group</th>
              <th scope="col">Why</th>
              <th scope="col" className="num">
                Lasted
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => {
              const openIt = () => navigate(`/alerts/history/${a.id}`);
              return (
                <tr
                  key={a.id}
                  className="clickable"
                  tabIndex={0}
                  data-testid="alert-row"
                  onClick={openIt}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter') openIt();
                  }}
                >
                  <td className="dim">{formatLocalTime(a.startedAt)}</td>
                  <td>{a.ruleName}</td>
                  <td>
                    <SeverityPill severity={a.severity} />
                  </td>
                  <td>
                    <StatePill state={a.state} acknowledged={a.acknowledgedAt !== null} />
                  </td>
                  <td className="mono">{a.groupKey || <span className="dim">—</span>}</td>
                  <td className="truncate" title={a.reason}>
                    {a.reason}
                  </td>
                  <td className="num">{duration(a.startedAt, a.resolvedAt)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {alerts.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={alerts.isFetchingNextPage}
          onClick={() => void alerts.fetchNextPage()}
        >
          Older alerts
        </button>
      )}
    </section>
  );
}
