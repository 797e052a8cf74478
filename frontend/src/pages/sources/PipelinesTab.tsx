import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { listPipelines } from '../../api/ingestion';
import { Empty, ErrorState, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { useCan } from '../../session';

export const PIPELINES_KEY = ['pipelines'] as const;

export function PipelinesTab() {
  const canEdit = useCan('editor');
  const pipelines = useQuery({
    queryKey: PIPELINES_KEY,
    queryFn: ({ signal }) => listPipelines(signal),
  });

  if (pipelines.isPending) return <Loading />;
  if (pipelines.isError)
    return (
      <ErrorState
        title="Could not load pipelines"
        error={pipelines.error}
        onRetry={() => void pipelines.refetch()}
      />
    );

  return (
    <section aria-label="Pipelines" data-testid="pipelines-tab">
      <div className="section-bar">
        <p className="dim">
          A pipeline parses and shapes the lines of one source. Sources without one are
          auto-detected (JSON, logfmt, nginx, apache, syslog, text).
        </p>
        <Link className="button primary" to="/sources/pipelines/new">
          {canEdit ? 'New pipeline' : 'Open the playground'}
        </Link>
      </div>
      {pipelines.data.length === 0 ? (
        <Empty title="No pipelines yet">
          <p>Try a format or a grok pattern on your own lines in the playground first.</p>
        </Empty>
      ) : (
        <table className="data-table" data-testid="pipelines-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Source</th>
              <th scope="col">Steps</th>
              <th scope="col">Time zone</th>
              <th scope="col">State</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.data.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/sources/pipelines/${p.id}`}>{p.name}</Link>
                </td>
                <td className="mono">{p.source}</td>
                <td className="mono truncate">
                  {p.steps.map((s) => String(s.type ?? '?')).join(' → ') || '—'}
                </td>
                <td>{p.timeZone ?? 'UTC'}</td>
                <td>
                  <span className={`pill ${p.enabled ? 'status-receiving' : 'status-disabled'}`}>
                    {p.enabled ? 'Enabled' : 'Disabled'}
                  </span>
                </td>
                <td className="dim">{formatLocalTime(p.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
