import { useInfiniteQuery } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { listAudit } from '../../api/auth';
import { Empty, ErrorState, Loading } from '../../components/States';
import { formatFieldValue, formatLocalTime } from '../../format';
import { Options } from '../../components/Options';

const PAGE = 50;

/** What the api records in the audit log (its entityType values). */
const AUDITED_TYPES = [
  'alert',
  'alert-rule',
  'silence',
  'channel',
  'recipient',
  'template',
  'delivery',
  'source',
  'pipeline',
  'grok-pattern',
  'retention-policy',
  'retention-run',
  'user',
  'api-key',
];

export function AuditTab() {
  const [entityType, setEntityType] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const audit = useInfiniteQuery({
    queryKey: ['audit', entityType],
    queryFn: ({ pageParam, signal }) =>
      listAudit(
        { entityType: entityType || undefined, before: pageParam ?? undefined, limit: PAGE },
        signal,
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => (page.length === PAGE ? page[page.length - 1].id : null),
  });
  const entries = audit.data?.pages.flat() ?? [];

  return (
    <section aria-label="Audit log" className="stack" data-testid="audit-tab">
      <div className="form-row">
        <div className="field">
          <label htmlFor="audit-type">What changed</label>
          <select
            id="audit-type"
            className="select"
            value={entityType}
            onChange={(e) => setEntityType(e.target.value)}
          >
            <option value="">everything</option>
            <Options values={AUDITED_TYPES} />
          </select>
        </div>
      </div>
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorState title="Could not load the audit log" error={audit.error} />
      ) : entries.length === 0 ? (
        <Empty title="No changes recorded" />
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">What</th>
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <Fragment key={e.id}>
                <tr>
                  <td className="dim">{formatLocalTime(e.at)}</td>
                  <td>
                    {e.actor.name} <span className="dim">({e.actor.kind})</span>
                  </td>
                  <td className="mono">{e.action}</td>
                  <td>
                    {e.entityType} <span className="mono dim">{e.entityId ?? ''}</span>
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="button small"
                      aria-expanded={open === e.id}
                      onClick={() => setOpen(open === e.id ? null : e.id)}
                    >
                      {open === e.id ? 'Hide' : 'Before / after'}
                    </button>
                  </td>
                </tr>
                {open === e.id && (
                  <tr className="detail-row">
                    <td colSpan={5}>
                      <div className="diff">
                        <div>
                          <h3>Before</h3>
                          <pre>{formatFieldValue(e.before)}</pre>
                        </div>
                        <div>
                          <h3>After</h3>
                          <pre>{formatFieldValue(e.after)}</pre>
                        </div>
                      </div>
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
      {audit.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={audit.isFetchingNextPage}
          onClick={() => void audit.fetchNextPage()}
        >
          {audit.isFetchingNextPage ? 'Loading…' : 'Older changes'}
        </button>
      )}
    </section>
  );
}
