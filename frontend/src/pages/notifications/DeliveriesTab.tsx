import {
  DELIVERY_KINDS,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryKind,
  type DeliveryStatus,
} from '@app/contracts';
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { getDelivery, listChannels, listDeliveries, retryDelivery } from '../../api/notifications';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { useCan } from '../../session';
import { formatAgo } from '../../time';
import { SandboxedHtml } from './SandboxedHtml';
import { Options } from '../../components/Options';

const TONE: Record<DeliveryStatus, string> = {
  pending: 'status-idle',
  sending: 'tone-warn',
  retrying: 'tone-warn',
  sent: 'tone-good',
  dead: 'tone-bad',
  suppressed: 'status-idle',
};

export function DeliveriesTab() {
  const [params, setParams] = useSearchParams();
  const status = params
    .getAll('status')
    .filter((s): s is DeliveryStatus => (DELIVERY_STATUSES as readonly string[]).includes(s));
  const kind = (params.get('kind') ?? '') as DeliveryKind | '';
  const channelId = params.get('channel') ?? '';
  const alertId = params.get('alert') ?? '';
  const [selected, setSelected] = useState<string | null>(null);
  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: ({ signal }) => listChannels(signal),
  });
  const filter = {
    status,
    kind: kind || undefined,
    channelId: channelId || undefined,
    alertId: alertId || undefined,
  };
  const deliveries = useInfiniteQuery({
    queryKey: ['deliveries', filter],
    queryFn: ({ pageParam, signal }) => listDeliveries(filter, pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
    refetchInterval: 10_000,
  });
  const items = deliveries.data?.pages.flatMap((p) => p.items) ?? [];

  function setParam(key: string, value: string | string[]) {
    const next = new URLSearchParams(params);
    next.delete(key);
    for (const v of Array.isArray(value) ? value : [value]) if (v) next.append(key, v);
    setParams(next, { replace: true });
  }

  return (
    <div className="stack" data-testid="deliveries-tab">
      <div className="form-row">
        <fieldset className="radio-row stacked">
          <legend>Status</legend>
          <div className="options">
            {DELIVERY_STATUSES.map((s) => (
              <label key={s} className="checkbox">
                <input
                  type="checkbox"
                  checked={status.includes(s)}
                  onChange={(e) =>
                    setParam(
                      'status',
                      e.target.checked ? [...status, s] : status.filter((x) => x !== s),
                    )
                  }
                />
                {s}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="dl-kind">Kind</label>
          <select
            id="dl-kind"
            className="select"
            value={kind}
            onChange={(e) => setParam('kind', e.target.value)}
          >
            <option value="">any</option>
            <Options values={DELIVERY_KINDS} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="dl-channel">Channel</label>
          <select
            id="dl-channel"
            className="select"
            value={channelId}
            onChange={(e) => setParam('channel', e.target.value)}
          >
            <option value="">any</option>
            {(channels.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        {alertId && (
          <button type="button" className="button small" onClick={() => setParam('alert', '')}>
            Alert {alertId.slice(0, 8)}… ✕
          </button>
        )}
      </div>

      <div className="master-detail">
        <div>
          {deliveries.isPending ? (
            <Loading />
          ) : deliveries.isError ? (
            <ErrorState title="Could not load deliveries" error={deliveries.error} />
          ) : items.length === 0 ? (
            <Empty title="No deliveries">
              <p>Messages appear here as alerts fire and channels are tested.</p>
            </Empty>
          ) : (
            <table className="data-table" data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Status</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Alert</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <DeliveryRow
                    key={d.id}
                    delivery={d}
                    selected={selected === d.id}
                    onSelect={() => setSelected(d.id)}
                  />
                ))}
              </tbody>
            </table>
          )}
          {deliveries.hasNextPage && (
            <button
              type="button"
              className="button"
              disabled={deliveries.isFetchingNextPage}
              onClick={() => void deliveries.fetchNextPage()}
            >
              Older deliveries
            </button>
          )}
        </div>
        {selected && <DeliveryPanel id={selected} onClose={() => setSelected(null)} />}
      </div>
    </div>
  );
}

function DeliveryRow({
  delivery: d,
  selected,
  onSelect,
}: {
  delivery: Delivery;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <tr
      className={`clickable${selected ? ' selected' : ''}`}
      tabIndex={0}
      aria-selected={selected}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          onSelect();
        }
      }}
    >
      <td className="dim" title={d.createdAt}>
        {formatAgo(d.createdAt)}
      </td>
      <td>
        <span className={`pill ${TONE[d.status]}`}>{d.status}</span>
      </td>
      <td>{d.kind}</td>
      <td>
        {d.channelName} <span className="dim">{d.channelType}</span>
      </td>
      <td className="truncate" title={d.subject ?? undefined}>
        {d.ruleName ?? <span className="dim">—</span>}
        {d.state && (
          <span className={`tag ${d.state === 'firing' ? 'bad' : 'good'}`}>{d.state}</span>
        )}
      </td>
      <td className="num">
        {d.attempts}/{d.maxAttempts}
      </td>
    </tr>
  );
}

function DeliveryPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const canRetry = useCan('editor');
  const queryClient = useQueryClient();
  const detail = useQuery({
    queryKey: ['delivery', id],
    queryFn: ({ signal }) => getDelivery(id, signal),
  });
  const retry = useMutation({
    mutationFn: () => retryDelivery(id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['delivery', id] });
      void queryClient.invalidateQueries({ queryKey: ['deliveries'] });
    },
  });
  return (
    <aside className="panel side-panel" aria-label="Delivery" data-testid="delivery-detail">
      <div className="panel-head">
        <h2>Delivery #{id}</h2>
        <button type="button" className="button small" onClick={onClose}>
          Close
        </button>
      </div>
      {detail.isPending ? (
        <p className="dim">Loading…</p>
      ) : detail.isError ? (
        <InlineError error={detail.error} />
      ) : (
        <>
          <dl className="kv">
            <dt>Status</dt>
            <dd>
              <span className={`pill ${TONE[detail.data.status]}`}>{detail.data.status}</span>
            </dd>
            <dt>To</dt>
            <dd className="mono">{detail.data.target}</dd>
            {detail.data.subject && (
              <>
                <dt>Subject</dt>
                <dd>{detail.data.subject}</dd>
              </>
            )}
            <dt>Created</dt>
            <dd>{formatLocalTime(detail.data.createdAt)}</dd>
            <dt>Sent</dt>
            <dd>{detail.data.sentAt ? formatLocalTime(detail.data.sentAt) : '—'}</dd>
            {detail.data.nextAttemptAt && (
              <>
                <dt>Next attempt</dt>
                <dd>{formatLocalTime(detail.data.nextAttemptAt)}</dd>
              </>
            )}
            {detail.data.lastError && (
              <>
                <dt>Last error</dt>
                <dd className="text-error">{detail.data.lastError}</dd>
              </>
            )}
          </dl>
          {detail.data.status === 'dead' && canRetry && (
            <button
              type="button"
              className="button"
              disabled={retry.isPending}
              onClick={() => retry.mutate()}
            >
              Send again
            </button>
          )}
          <InlineError error={retry.error} />
          <h3 className="section-title">Attempts</h3>
          {detail.data.attemptLog.length === 0 ? (
            <p className="dim">None yet.</p>
          ) : (
            <ol className="attempts">
              {detail.data.attemptLog.map((a) => (
                <li key={a.attempt}>
                  <span className={`tag ${a.outcome === 'sent' ? 'good' : 'bad'}`}>
                    {a.outcome}
                  </span>{' '}
                  #{a.attempt} · {formatLocalTime(a.startedAt)} · {a.durationMs} ms
                  {a.response && <div className="mono dim">{a.response}</div>}
                  {a.error && <div className="text-error">{a.error}</div>}
                </li>
              ))}
            </ol>
          )}
          <h3 className="section-title">Message as sent</h3>
          {detail.data.text !== null && <pre className="rendered-text">{detail.data.text}</pre>}
          {detail.data.body !== null && <pre className="rendered-text">{detail.data.body}</pre>}
          {detail.data.html !== null && (
            <SandboxedHtml html={detail.data.html} title="Message HTML" />
          )}
          {detail.data.text === null && detail.data.body === null && detail.data.html === null && (
            <p className="dim">Not rendered yet.</p>
          )}
        </>
      )}
    </aside>
  );
}
