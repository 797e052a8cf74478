import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createSilence, expireSilence, listAlertRules, listSilences } from '../../api/alerting';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { useCan } from '../../session';
import { RULES } from './RulesTab';

const DURATIONS = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 4 * 3600, label: '4 hours' },
  { seconds: 86_400, label: '1 day' },
  { seconds: 7 * 86_400, label: '1 week' },
];

export function SilencesTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [activeOnly, setActiveOnly] = useState(true);
  const [ruleId, setRuleId] = useState('');
  const [matchers, setMatchers] = useState('');
  const [seconds, setSeconds] = useState(3600);
  const [comment, setComment] = useState('');
  const rules = useQuery({ queryKey: RULES, queryFn: ({ signal }) => listAlertRules(signal) });
  const silences = useQuery({
    queryKey: ['silences', activeOnly],
    queryFn: ({ signal }) => listSilences(activeOnly, signal),
  });
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: ['silences'] });
  const create = useMutation({
    mutationFn: () =>
      createSilence({
        ruleId: ruleId || null,
        matchers: Object.fromEntries(
          matchers
            .split(/[\n,]/)
            .filter((m) => m.includes('='))
            .map((m) => [m.slice(0, m.indexOf('=')).trim(), m.slice(m.indexOf('=') + 1).trim()]),
        ),
        endsAt: new Date(Date.now() + seconds * 1000).toISOString(),
        comment: comment.trim() || undefined,
      }),
    onSuccess: () => {
      setMatchers('');
      setComment('');
      invalidate();
    },
  });
  const expire = useMutation({ mutationFn: expireSilence, onSuccess: invalidate });
  const ruleName = (id: string | null) =>
    id === null ? 'every rule' : (rules.data?.find((r) => r.id === id)?.name ?? id);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    create.mutate();
  }

  return (
    <div className="grid-2-1 align-start">
      <section aria-label="Silences" className="stack">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={activeOnly}
            onChange={(e) => setActiveOnly(e.target.checked)}
          />
          Only silences not over yet
        </label>
        {silences.isPending ? (
          <Loading />
        ) : silences.isError ? (
          <ErrorState title="Could not load silences" error={silences.error} />
        ) : silences.data.length === 0 ? (
          <Empty title="No silences">
            <p>A silence holds notifications back during maintenance; alerts are still recorded.</p>
          </Empty>
        ) : (
          <table className="data-table" data-testid="silences-table">
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Groups</th>
                <th scope="col">Until</th>
                <th scope="col">By</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {silences.data.map((s) => (
                <tr key={s.id} className={s.active ? undefined : 'muted'}>
                  <td>
                    {ruleName(s.ruleId)}
                    {s.comment && <div className="dim small-text">{s.comment}</div>}
                  </td>
                  <td className="mono">
                    {Object.entries(s.matchers)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(', ') || 'all'}
                  </td>
                  <td>
                    {formatLocalTime(s.endsAt)}
                    {s.active && <span className="tag warn">active</span>}
                  </td>
                  <td>{s.createdBy}</td>
                  <td className="actions">
                    {canEdit && s.active && (
                      <button
                        type="button"
                        className="button small"
                        onClick={() => expire.mutate(s.id)}
                      >
                        End now
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <InlineError error={expire.error} />
      </section>
      {canEdit && (
        <form className="panel form" onSubmit={onSubmit} data-testid="silences-form">
          <h2>New silence</h2>
          <div className="field">
            <label htmlFor="sil-rule">Rule</label>
            <select
              id="sil-rule"
              className="select"
              value={ruleId}
              onChange={(e) => setRuleId(e.target.value)}
            >
              <option value="">every rule</option>
              {(rules.data ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sil-matchers">Groups (field=value, * wildcards; empty: all)</label>
            <textarea
              id="sil-matchers"
              className="mono"
              rows={2}
              value={matchers}
              placeholder="host=web-*"
              onChange={(e) => setMatchers(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="sil-duration">For</label>
            <select
              id="sil-duration"
              className="select"
              value={seconds}
              onChange={(e) => setSeconds(Number(e.target.value))}
            >
              {DURATIONS.map((d) => (
                <option key={d.seconds} value={d.seconds}>
                  {d.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sil-comment">Why</label>
            <input
              id="sil-comment"
              value={comment}
              placeholder="Database maintenance"
              onChange={(e) => setComment(e.target.value)}
            />
          </div>
          <InlineError error={create.error} />
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={create.isPending}>
              Silence
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
