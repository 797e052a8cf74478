import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { listAlerts } from '../../api/alerting';
import { InlineError } from '../../components/States';
import { formatAgo } from '../../time';
import { SeverityPill, StatePill } from './alert-ui';

/** Open alerts (pending or firing), for the overview. */
export function ActiveAlertsPanel() {
  const alerts = useQuery({
    queryKey: ['alerts', 'open'],
    queryFn: ({ signal }) => listAlerts({ state: 'open', limit: 8 }, null, signal),
    refetchInterval: 15_000,
  });
  const items = alerts.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby="ov-alerts" data-testid="active-alerts">
      <div className="panel-head">
        <h2 id="ov-alerts">Active alerts</h2>
        <Link to="/alerts/history?state=open" className="dim">
          all
        </Link>
      </div>
      <InlineError error={alerts.error} />
      {alerts.isPending ? (
        <p className="dim">Loading…</p>
      ) : items.length === 0 ? (
        <div className="all-clear">
          <span className="pill tone-good">All clear</span>
          <p className="dim">No alert is pending or firing.</p>
        </div>
      ) : (
        <ul className="alert-list">
          {items.map((a) => (
            <li key={a.id}>
              <Link to={`/alerts/history/${a.id}`} className="alert-item">
                <span className="alert-item-head">
                  <SeverityPill severity={a.severity} />
                  <strong className="truncate">{a.ruleName}</strong>
                  <StatePill state={a.state} acknowledged={a.acknowledgedAt !== null} />
                </span>
                <span className="dim truncate">
                  {a.groupKey ? `${a.groupKey} · ` : ''}since {formatAgo(a.firedAt ?? a.startedAt)}
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
