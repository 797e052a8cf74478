import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  createSource,
  deleteSource,
  listSources,
  SOURCE_TYPES,
  updateSource,
  type Source,
  type SourceType,
} from '../../api/ingestion';
import { getAggregate } from '../../api/logs';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { formatBytes } from '../../format';
import { writeSearchState } from '../../search/search-params';
import { useCan } from '../../session';
import { resolveRange } from '../../time';
import { Options } from '../../components/Options';

const SOURCES_KEY = ['sources'] as const;

type Status = 'receiving' | 'idle' | 'disabled' | 'unconfigured';
const STATUS_TEXT: Record<Status, string> = {
  receiving: 'Receiving',
  idle: 'Idle',
  disabled: 'Disabled',
  unconfigured: 'Receiving (not configured)',
};

interface Row {
  name: string;
  source: Source | null;
  perMinute: number;
  lastDay: number;
  status: Status;
}

function rangeQuery(from: string) {
  const r = resolveRange({ from, to: 'now' });
  return { q: '', from: r.from, to: r.to, levels: [], sources: [] };
}

export function SourcesTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<Source | 'new' | null>(null);
  const sources = useQuery({
    queryKey: SOURCES_KEY,
    queryFn: ({ signal }) => listSources(signal),
    refetchInterval: 10_000,
  });
  // Throughput from the stored lines: per minute over the last 15 minutes, and the last day.
  const recent = useQuery({
    queryKey: ['source-rate'],
    queryFn: ({ signal }) =>
      getAggregate(
        rangeQuery('now-15m'),
        { groupBy: 'source', metric: 'rate', limit: 200 },
        signal,
      ),
    refetchInterval: 15_000,
  });
  const day = useQuery({
    queryKey: ['source-day'],
    queryFn: ({ signal }) =>
      getAggregate(rangeQuery('now-24h'), { groupBy: 'source', limit: 200 }, signal),
    refetchInterval: 60_000,
  });
  const toggle = useMutation({
    mutationFn: (s: Source) => updateSource(s.id, { enabled: !s.enabled }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: SOURCES_KEY }),
  });
  const remove = useMutation({
    mutationFn: (s: Source) => deleteSource(s.id),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: SOURCES_KEY }),
  });

  const rows = useMemo<Row[]>(() => {
    const rate = new Map(recent.data?.groups.map((g) => [g.key, g.value]) ?? []);
    const counts = new Map(day.data?.groups.map((g) => [g.key, g.count]) ?? []);
    const configured = new Set((sources.data ?? []).map((s) => s.name));
    const list: Row[] = (sources.data ?? []).map((s) => {
      const perMinute = rate.get(s.name) ?? 0;
      return {
        name: s.name,
        source: s,
        perMinute,
        lastDay: counts.get(s.name) ?? 0,
        status: !s.enabled ? 'disabled' : perMinute > 0 ? 'receiving' : 'idle',
      };
    });
    // Sources that send over HTTP or syslog without a configured entry still deserve a row.
    for (const [name, count] of counts) {
      if (configured.has(name)) continue;
      const perMinute = rate.get(name) ?? 0;
      list.push({
        name,
        source: null,
        perMinute,
        lastDay: count,
        status: perMinute > 0 ? 'unconfigured' : 'idle',
      });
    }
    return list.sort((a, b) => b.perMinute - a.perMinute || a.name.localeCompare(b.name));
  }, [sources.data, recent.data, day.data]);

  if (sources.isPending) return <Loading />;
  if (sources.isError)
    return (
      <ErrorState
        title="Could not load sources"
        error={sources.error}
        onRetry={() => void sources.refetch()}
      />
    );

  return (
    <section aria-label="Sources">
      <div className="section-bar">
        <p className="dim">
          Throughput is measured on stored lines: per minute over the last 15 minutes.
        </p>
        {canEdit && (
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            Add source
          </button>
        )}
      </div>
      {rows.length === 0 ? (
        <Empty title="No sources yet">
          <p>
            Lines sent over HTTP, syslog or an agent show up here by their source name. Add a file
            source to tail files on this server.
          </p>
        </Empty>
      ) : (
        <table className="data-table" data-testid="sources-table">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Type</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Lines/min
              </th>
              <th scope="col" className="num">
                Last 24 h
              </th>
              <th scope="col">Details</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.name}>
                <td>
                  <Link
                    className="mono"
                    to={`/search?${writeSearchState({
                      q: '',
                      range: { from: 'now-1h', to: 'now' },
                      levels: [],
                      sources: [row.name],
                    })}`}
                  >
                    {row.name}
                  </Link>
                </td>
                <td>{row.source?.type ?? <span className="dim">ad hoc</span>}</td>
                <td>
                  <span className={`pill status-${row.status}`}>{STATUS_TEXT[row.status]}</span>
                </td>
                <td className="num">{row.perMinute.toFixed(row.perMinute < 10 ? 1 : 0)}</td>
                <td className="num">{row.lastDay.toLocaleString()}</td>
                <td>
                  <SourceDetails source={row.source} />
                </td>
                <td className="actions">
                  {canEdit && row.source && (
                    <>
                      <button
                        type="button"
                        className="button small"
                        onClick={() => setEditing(row.source)}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="button small"
                        disabled={toggle.isPending}
                        onClick={() => row.source && toggle.mutate(row.source)}
                      >
                        {row.source.enabled ? 'Disable' : 'Enable'}
                      </button>
                      <button
                        type="button"
                        className="button small danger"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (row.source && window.confirm(`Delete the source ${row.name}?`))
                            remove.mutate(row.source);
                        }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                  {canEdit && !row.source && (
                    <Link className="button small" to="/sources/pipelines">
                      Add a pipeline
                    </Link>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={toggle.error ?? remove.error ?? recent.error} />
      <SourceDialog editing={editing} onClose={() => setEditing(null)} />
    </section>
  );
}

function SourceDetails({ source }: { source: Source | null }) {
  if (!source) return <span className="dim">sent with ?source= or by an agent</span>;
  if (source.type !== 'file' || !source.files) {
    const keys = Object.keys(source.settings);
    return <span className="dim">{keys.length === 0 ? '—' : keys.join(', ')}</span>;
  }
  if (source.files.length === 0) return <span className="dim">no file matches yet</span>;
  return (
    <ul className="file-list">
      {source.files.map((f) => {
        const behind = f.size === null ? null : Math.max(0, f.size - f.storedOffset);
        return (
          <li key={f.path}>
            <span className="mono truncate" title={f.path}>
              {f.path}
            </span>
            <span className="dim">
              {formatBytes(f.storedOffset)}
              {f.size !== null && ` of ${formatBytes(f.size)}`}
              {behind !== null && behind > 0 && ` · ${formatBytes(behind)} behind`}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

function SourceDialog({
  editing,
  onClose,
}: {
  editing: Source | 'new' | null;
  onClose: () => void;
}) {
  const open = editing !== null;
  return (
    <Dialog
      title={editing === 'new' ? 'Add a source' : 'Edit source'}
      open={open}
      onClose={onClose}
    >
      {open && (
        <SourceForm
          key={editing === 'new' ? 'new' : editing.id}
          editing={editing}
          onDone={onClose}
        />
      )}
    </Dialog>
  );
}

function SourceForm({ editing, onDone }: { editing: Source | 'new'; onDone: () => void }) {
  const queryClient = useQueryClient();
  const existing = editing === 'new' ? null : editing;
  const [name, setName] = useState(existing?.name ?? '');
  const [type, setType] = useState<SourceType>(existing?.type ?? 'file');
  const settings = existing?.settings ?? {};
  const [include, setInclude] = useState(
    Array.isArray(settings.include) ? (settings.include as string[]).join('\n') : '',
  );
  const [exclude, setExclude] = useState(
    Array.isArray(settings.exclude) ? (settings.exclude as string[]).join('\n') : '',
  );
  const [startAt, setStartAt] = useState(settings.startAt === 'beginning' ? 'beginning' : 'end');
  const [other, setOther] = useState(
    existing && existing.type !== 'file' ? JSON.stringify(existing.settings, null, 2) : '{}',
  );
  const [formError, setFormError] = useState<string | null>(null);

  const save = useMutation({
    mutationFn: (body: { name: string; type: SourceType; settings: Record<string, unknown> }) =>
      existing ? updateSource(existing.id, body) : createSource({ ...body, enabled: true }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: SOURCES_KEY });
      onDone();
    },
  });

  function lines(text: string): string[] {
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    let body: Record<string, unknown>;
    if (type === 'file') {
      body = { ...settings, include: lines(include), startAt };
      const ex = lines(exclude);
      if (ex.length > 0) body.exclude = ex;
      else delete body.exclude;
    } else {
      try {
        const parsed: unknown = JSON.parse(other || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('not an object');
        body = parsed as Record<string, unknown>;
      } catch {
        setFormError('Settings must be a JSON object.');
        return;
      }
    }
    save.mutate({ name: name.trim(), type, settings: body });
  }

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="field">
        <label htmlFor="source-name">Name</label>
        <input
          id="source-name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="nginx"
        />
        <span className="hint">Also the source of the lines it produces.</span>
      </div>
      <div className="field">
        <label htmlFor="source-type">Type</label>
        <select
          id="source-type"
          className="select"
          value={type}
          disabled={existing !== null}
          onChange={(e) => setType(e.target.value as SourceType)}
        >
          <Options values={SOURCE_TYPES} />
        </select>
      </div>
      {type === 'file' ? (
        <>
          <div className="field">
            <label htmlFor="source-include">Files to tail (one glob per line)</label>
            <textarea
              id="source-include"
              className="mono"
              rows={3}
              required
              value={include}
              placeholder="/var/log/nginx/*.log"
              onChange={(e) => setInclude(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="source-exclude">Exclude (optional)</label>
            <textarea
              id="source-exclude"
              className="mono"
              rows={2}
              value={exclude}
              placeholder="/var/log/nginx/*.gz"
              onChange={(e) => setExclude(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="source-start">Start reading new files at</label>
            <select
              id="source-start"
              className="select"
              value={startAt}
              onChange={(e) => setStartAt(e.target.value)}
            >
              <option value="end">the end (new lines only)</option>
              <option value="beginning">the beginning</option>
            </select>
          </div>
        </>
      ) : (
        <div className="field">
          <label htmlFor="source-settings">Settings (JSON)</label>
          <textarea
            id="source-settings"
            className="mono"
            rows={5}
            value={other}
            onChange={(e) => setOther(e.target.value)}
          />
        </div>
      )}
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      <InlineError error={save.error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {existing ? 'Save' : 'Add source'}
        </button>
      </div>
    </form>
  );
}
