import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { acknowledgeAlert, getAlert } from '../../api/alerting';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { useCan } from '../../session';
import { formatAgo } from '../../time';
import { EvidenceLines, SeverityPill, StatePill } from './alert-ui';

export function AlertDetailPage() {
  const { id = '' } = useParams();
  const canAck = useCan('editor');
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const alert = useQuery({
    queryKey: ['alert', id],
    queryFn: ({ signal }) => getAlert(id, signal),
    refetchInterval: 10_000,
  });
  const ack = useMutation({
    mutationFn: () => acknowledgeAlert(id, comment.trim() || undefined),
    onSuccess: (detail) => {
      queryClient.setQueryData(['alert', id], detail);
      void queryClient.invalidateQueries({ queryKey: ['alerts'] });
    },
  });

  if (alert.isPending) return <Loading />;
  if (alert.isError) return <ErrorState title="Could not load the alert" error={alert.error} />;
  const a = alert.data;

  function onAck(event: FormEvent) {
    event.preventDefault();
    ack.mutate();
  }

  return (
    <div className="stack" data-testid="alert-detail">
      <div className="alert-heading">
        <Link to="/alerts/history" className="dim">
          ← History
        </Link>
        <h2>
          <SeverityPill severity={a.severity} /> {a.ruleName}
          {a.groupKey && <span className="mono dim"> {a.groupKey}</span>}
        </h2>
        <StatePill state={a.state} acknowledged={a.acknowledgedAt !== null} />
      </div>

      <div className="grid-2-1 align-start">
        <section className="panel" aria-labelledby="al-evidence">
          <div className="panel-head">
            <h2 id="al-evidence">Evidence</h2>
            <span className="dim">lines that made it fire</span>
          </div>
          <p className="alert-reason">{a.reason}</p>
          <EvidenceLines samples={a.samples} query={a.query} />

          <h3 className="section-title">Timeline</h3>
          <ol className="timeline">
            {a.transitions.map((t) => (
              <li key={t.id}>
                <span className="cell-time">{formatLocalTime(t.at)}</span>
                <span>
                  {t.from ?? 'new'} → <strong>{t.to}</strong>
                  {t.repeat && ' (repeat)'}
                </span>
                <span className="dim truncate" title={t.reason}>
                  {t.reason}
                </span>
                <span className="dim">
                  {t.silencedBy
                    ? 'silenced'
                    : t.notify
                      ? t.enqueuedAt
                        ? 'notified'
                        : 'notifying…'
                      : 'not notified'}
                </span>
              </li>
            ))}
          </ol>
        </section>

        <aside className="stack">
          <section className="panel" aria-labelledby="al-facts">
            <h2 id="al-facts">Details</h2>
            <dl className="kv">
              <dt>Value</dt>
              <dd>
                {a.value}
                {a.comparison && a.threshold !== null && ` (${a.comparison} ${a.threshold})`}
              </dd>
              <dt>Window</dt>
              <dd>
                {formatLocalTime(a.windowStart)} → {formatLocalTime(a.windowEnd)}
              </dd>
              <dt>Started</dt>
              <dd>{formatAgo(a.startedAt)}</dd>
              <dt>Fired</dt>
              <dd>{a.firedAt ? formatLocalTime(a.firedAt) : '—'}</dd>
              <dt>Resolved</dt>
              <dd>{a.resolvedAt ? formatLocalTime(a.resolvedAt) : '—'}</dd>
              <dt>Query</dt>
              <dd className="mono">{a.query || 'every line'}</dd>
              <dt>Notifications</dt>
              <dd>
                <Link to={`/notifications/deliveries?alert=${a.id}`}>
                  {a.notifications} sent — delivery log
                </Link>
              </dd>
              {a.ruleId && (
                <>
                  <dt>Rule</dt>
                  <dd>
                    <Link to={`/alerts/rules/${a.ruleId}`}>edit the rule</Link>
                  </dd>
                </>
              )}
            </dl>
          </section>
          <section className="panel" aria-labelledby="al-ack">
            <h2 id="al-ack">Acknowledgement</h2>
            {a.acknowledgedAt ? (
              <p data-testid="acknowledged">
                Acknowledged by <strong>{a.acknowledgedBy}</strong> {formatAgo(a.acknowledgedAt)}
                {a.acknowledgeComment && (
                  <>
                    : <q>{a.acknowledgeComment}</q>
                  </>
                )}
              </p>
            ) : canAck && a.state !== 'resolved' ? (
              <form className="form" onSubmit={onAck}>
                <div className="field">
                  <label htmlFor="ack-comment">Comment (optional)</label>
                  <input
                    id="ack-comment"
                    value={comment}
                    placeholder="Looking into it"
                    onChange={(e) => setComment(e.target.value)}
                  />
                </div>
                <InlineError error={ack.error} />
                <div className="form-actions">
                  <button type="submit" className="button primary" disabled={ack.isPending}>
                    Acknowledge
                  </button>
                </div>
                <p className="hint">An acknowledged alert is no longer repeated.</p>
              </form>
            ) : (
              <p className="dim">Not acknowledged.</p>
            )}
          </section>
        </aside>
      </div>
    </div>
  );
}
