import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { listAlertRules, updateAlertRule } from '../../api/alerting';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useCan } from '../../session';
import { ruleHealth, SeverityPill } from './alert-ui';

export const RULES = ['alert-rules'] as const;

export function RulesTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const rules = useQuery({
    queryKey: RULES,
    queryFn: ({ signal }) => listAlertRules(signal),
    refetchInterval: 15_000,
  });
  const toggle = useMutation({
    mutationFn: (v: { id: string; enabled: boolean }) =>
      updateAlertRule(v.id, { enabled: v.enabled }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: RULES }),
  });

  if (rules.isPending) return <Loading />;
  if (rules.isError) return <ErrorState title="Could not load alert rules" error={rules.error} />;

  return (
    <section aria-label="Alert rules">
      <div className="section-bar">
        <p className="dim">
          Threshold, pattern, anomaly and absence rules, evaluated on every stored batch.
        </p>
        {canEdit && (
          <Link className="button primary" to="/alerts/rules/new" data-testid="new-rule">
            New rule
          </Link>
        )}
      </div>
      {rules.data.length === 0 ? (
        <Empty title="No alert rules yet">
          <p>
            Create one, and see on a backtest of your own history how often it would have fired.
          </p>
        </Empty>
      ) : (
        <table className="data-table" data-testid="rules-table">
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">Type</th>
              <th scope="col">Query</th>
              <th scope="col">Health</th>
              <th scope="col" className="num">
                Fires 7 d
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data.map((rule) => {
              const health = ruleHealth(rule);
              return (
                <tr key={rule.id} className={rule.enabled ? undefined : 'muted'}>
                  <td>
                    <Link to={`/alerts/rules/${rule.id}`}>{rule.name}</Link>
                    {rule.description && <div className="dim small-text">{rule.description}</div>}
                  </td>
                  <td>
                    <SeverityPill severity={rule.severity} />
                  </td>
                  <td>{rule.type}</td>
                  <td className="mono truncate" title={rule.query}>
                    {rule.query || <span className="dim">every line</span>}
                  </td>
                  <td title={health.detail}>
                    <span className={`pill ${health.tone}`}>{health.label}</span>
                    <div className="dim small-text">{health.detail}</div>
                  </td>
                  <td className="num">{rule.health.firesLast7Days}</td>
                  <td className="actions">
                    <Link className="button small" to={`/alerts/history?rule=${rule.id}`}>
                      History
                    </Link>
                    {canEdit && (
                      <button
                        type="button"
                        className="button small"
                        onClick={() => toggle.mutate({ id: rule.id, enabled: !rule.enabled })}
                      >
                        {rule.enabled ? 'Disable' : 'Enable'}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <InlineError error={toggle.error} />
    </section>
  );
}
