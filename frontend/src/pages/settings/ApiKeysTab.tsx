import { API_KEY_SCOPES, type ApiKeyScope } from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createApiKey, listApiKeys, revokeApiKey } from '../../api/auth';
import { CopyButton } from '../../components/CopyButton';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { formatAgo } from '../../time';

const KEYS = ['api-keys'] as const;

const SCOPE_HELP: Record<ApiKeyScope, string> = {
  ingest: 'send logs',
  read: 'search and live tail, as a viewer',
  admin: 'everything',
};

export function ApiKeysTab() {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['ingest', 'read']);
  const [source, setSource] = useState('');
  const [created, setCreated] = useState<{ name: string; key: string } | null>(null);
  const keys = useQuery({ queryKey: KEYS, queryFn: ({ signal }) => listApiKeys(signal) });
  const create = useMutation({
    mutationFn: () =>
      createApiKey({ name: name.trim(), scopes, source: source.trim() || undefined }),
    onSuccess: (key) => {
      setCreated({ name: key.name, key: key.key });
      setName('');
      setSource('');
      void queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  const revoke = useMutation({
    mutationFn: revokeApiKey,
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: KEYS }),
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (name.trim() !== '' && scopes.length > 0) create.mutate();
  }

  if (keys.isPending) return <Loading />;
  if (keys.isError)
    return (
      <ErrorState
        title="Could not load API keys"
        error={keys.error}
        onRetry={() => void keys.refetch()}
      />
    );

  return (
    <section aria-label="API keys" className="stack">
      <form className="panel form" onSubmit={onSubmit}>
        <h2>Create an API key</h2>
        <div className="form-row">
          <div className="field grow">
            <label htmlFor="key-name">What it is for</label>
            <input
              id="key-name"
              required
              value={name}
              placeholder="web-01 shipper"
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="key-source">Only this source (optional)</label>
            <input
              id="key-source"
              className="mono"
              value={source}
              placeholder="any"
              onChange={(e) => setSource(e.target.value)}
            />
          </div>
          <fieldset className="radio-row stacked">
            <legend>Scopes</legend>
            <div className="options">
              {API_KEY_SCOPES.map((scope) => (
                <label key={scope} className="checkbox" title={SCOPE_HELP[scope]}>
                  <input
                    type="checkbox"
                    checked={scopes.includes(scope)}
                    onChange={(e) =>
                      setScopes((list) =>
                        e.target.checked ? [...list, scope] : list.filter((s) => s !== scope),
                      )
                    }
                  />
                  {scope}
                </label>
              ))}
            </div>
          </fieldset>
          <button
            type="submit"
            className="button primary"
            disabled={create.isPending || scopes.length === 0}
          >
            Create key
          </button>
        </div>
        <InlineError error={create.error} />
        {created && (
          <div className="notice key-reveal" role="status" data-testid="created-key">
            <p>
              The key <strong>{created.name}</strong> — copy it now, it is not shown again:
            </p>
            <div className="code-block">
              <pre>{created.key}</pre>
              <CopyButton text={created.key} />
            </div>
            <button type="button" className="link-button" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        )}
      </form>

      {keys.data.length === 0 ? (
        <Empty title="No API keys yet" />
      ) : (
        <table className="data-table" data-testid="api-keys-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Prefix</th>
              <th scope="col">Scopes</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.data.map((k) => (
              <tr key={k.id} className={k.revokedAt ? 'muted' : undefined}>
                <td>{k.name}</td>
                <td className="mono">{k.prefix}…</td>
                <td>
                  {(k.scopes ?? []).join(', ') || '—'}
                  {k.source && <span className="tag">{k.source}</span>}
                </td>
                <td className="dim">{formatLocalTime(k.createdAt)}</td>
                <td className="dim">{k.lastUsedAt ? formatAgo(k.lastUsedAt) : 'never'}</td>
                <td>
                  <span className={`pill ${k.revokedAt ? 'status-disabled' : 'status-receiving'}`}>
                    {k.revokedAt ? 'Revoked' : 'Active'}
                  </span>
                </td>
                <td className="actions">
                  {!k.revokedAt && (
                    <button
                      type="button"
                      className="button small danger"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke the key ${k.name}? It stops working at once.`))
                          revoke.mutate(k.id);
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={revoke.error} />
    </section>
  );
}
