import {
  ALERT_SEVERITIES,
  CHANNEL_TYPES,
  WEBHOOK_METHODS,
  type AlertSeverity,
  type ChannelTestResult,
  type ChannelType,
  type CreateChannelRequest,
  type NotificationChannel,
  type WebhookMethod,
} from '@app/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import {
  createChannel,
  deleteChannel,
  listChannels,
  listTemplates,
  testChannel,
  updateChannel,
} from '../../api/notifications';
import { Dialog } from '../../components/Dialog';
import { Empty, ErrorState, InlineError, Loading } from '../../components/States';
import { useCan } from '../../session';
import { Options } from '../../components/Options';

export const CHANNELS = ['channels'] as const;

function target(channel: NotificationChannel): string {
  const s = channel.settings;
  if (channel.type === 'webhook') return `${String(s.method ?? 'POST')} ${String(s.url ?? '')}`;
  const to = Array.isArray(s.to) ? (s.to as string[]) : [];
  return to.length > 0 ? to.join(', ') : 'rule or default recipients';
}

export function ChannelsTab() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<NotificationChannel | 'new' | null>(null);
  const [tested, setTested] = useState<Record<string, ChannelTestResult>>({});
  const channels = useQuery({ queryKey: CHANNELS, queryFn: ({ signal }) => listChannels(signal) });
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: CHANNELS });
  const test = useMutation({
    mutationFn: testChannel,
    onSuccess: (result, id) => setTested((t) => ({ ...t, [id]: result })),
  });
  const toggle = useMutation({
    mutationFn: (c: NotificationChannel) => updateChannel(c.id, { enabled: !c.enabled }),
    onSuccess: invalidate,
  });
  const remove = useMutation({ mutationFn: deleteChannel, onSuccess: invalidate });

  if (channels.isPending) return <Loading />;
  if (channels.isError)
    return <ErrorState title="Could not load channels" error={channels.error} />;

  return (
    <section aria-label="Channels" data-testid="channels-tab">
      <div className="section-bar">
        <p className="dim">
          A rule sends to the channels it names; otherwise to the channels routed by its severity.
        </p>
        {canEdit && (
          <button type="button" className="button primary" onClick={() => setEditing('new')}>
            Add channel
          </button>
        )}
      </div>
      {channels.data.length === 0 ? (
        <Empty title="No channels yet">
          <p>
            Add an e-mail or webhook channel (Slack, Teams and generic JSON templates are built in).
          </p>
        </Empty>
      ) : (
        <table className="data-table" data-testid="channels-table">
          <thead>
            <tr>
              <th scope="col">Channel</th>
              <th scope="col">Type</th>
              <th scope="col">Sends to</th>
              <th scope="col">Severities</th>
              <th scope="col">Rate limit</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {channels.data.map((c) => {
              const result = tested[c.id];
              return (
                <tr key={c.id} className={c.enabled ? undefined : 'muted'}>
                  <td>
                    {c.name}
                    {result && (
                      <div className={result.ok ? 'text-good' : 'text-error'} role="status">
                        Test {result.ok ? 'sent' : 'failed'} in {result.durationMs} ms
                        {result.response && ` · ${result.response}`}
                        {result.error && ` · ${result.error}`}
                      </div>
                    )}
                  </td>
                  <td>{c.type}</td>
                  <td className="mono truncate" title={target(c)}>
                    {target(c)}
                  </td>
                  <td>
                    {c.severities.length > 0 ? (
                      c.severities.join(', ')
                    ) : (
                      <span className="dim">none</span>
                    )}
                  </td>
                  <td className="dim">
                    {c.rateLimit
                      ? `${c.rateLimit.maxMessages} per ${c.rateLimit.windowSeconds} s`
                      : 'unlimited'}
                  </td>
                  <td>
                    <span className={`pill ${c.enabled ? 'tone-good' : 'status-disabled'}`}>
                      {c.enabled ? 'Enabled' : 'Disabled'}
                    </span>
                  </td>
                  <td className="actions">
                    <Link className="button small" to={`/notifications/deliveries?channel=${c.id}`}>
                      Log
                    </Link>
                    {canEdit && (
                      <>
                        <button
                          type="button"
                          className="button small"
                          disabled={test.isPending && test.variables === c.id}
                          onClick={() => test.mutate(c.id)}
                        >
                          {test.isPending && test.variables === c.id ? 'Sending…' : 'Send test'}
                        </button>
                        <button
                          type="button"
                          className="button small"
                          onClick={() => setEditing(c)}
                        >
                          Edit
                        </button>
                        <button
                          type="button"
                          className="button small"
                          onClick={() => toggle.mutate(c)}
                        >
                          {c.enabled ? 'Disable' : 'Enable'}
                        </button>
                        <button
                          type="button"
                          className="button small danger"
                          onClick={() => {
                            if (window.confirm(`Delete the channel ${c.name}?`))
                              remove.mutate(c.id);
                          }}
                        >
                          Delete
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <InlineError error={test.error ?? toggle.error ?? remove.error} />
      <Dialog
        title={editing === 'new' ? 'Add a channel' : `Edit ${editing?.name ?? ''}`}
        open={editing !== null}
        onClose={() => setEditing(null)}
        wide
      >
        {editing !== null && (
          <ChannelForm
            key={editing === 'new' ? 'new' : editing.id}
            channel={editing === 'new' ? null : editing}
            onDone={() => {
              setEditing(null);
              invalidate();
            }}
          />
        )}
      </Dialog>
    </section>
  );
}

function lines(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((l) => l.trim())
    .filter(Boolean);
}

function ChannelForm({
  channel,
  onDone,
}: {
  channel: NotificationChannel | null;
  onDone: () => void;
}) {
  const s = channel?.settings ?? {};
  const str = (key: string) => (typeof s[key] === 'string' ? (s[key] as string) : '');
  const [name, setName] = useState(channel?.name ?? '');
  const [type, setType] = useState<ChannelType>(channel?.type ?? 'email');
  const [severities, setSeverities] = useState<AlertSeverity[]>(
    channel?.severities ?? ['critical', 'high'],
  );
  const [templateId, setTemplateId] = useState(channel?.templateId ?? '');
  const [limited, setLimited] = useState(channel?.rateLimit !== null && channel !== null);
  const [maxMessages, setMaxMessages] = useState(String(channel?.rateLimit?.maxMessages ?? 10));
  const [windowSeconds, setWindowSeconds] = useState(
    String(channel?.rateLimit?.windowSeconds ?? 300),
  );
  // email
  const [to, setTo] = useState(Array.isArray(s.to) ? (s.to as string[]).join('\n') : '');
  const [host, setHost] = useState(str('host'));
  const [port, setPort] = useState(s.port === undefined ? '' : String(s.port));
  const [secure, setSecure] = useState(s.secure === true);
  const [requireTLS, setRequireTLS] = useState(s.requireTLS === true);
  const [user, setUser] = useState(str('user'));
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(str('from'));
  // webhook
  const [url, setUrl] = useState(str('url'));
  const [method, setMethod] = useState<WebhookMethod>((str('method') as WebhookMethod) || 'POST');
  const [headers, setHeaders] = useState('');
  const [secret, setSecret] = useState('');
  const [timeoutMs, setTimeoutMs] = useState(s.timeoutMs === undefined ? '' : String(s.timeoutMs));

  const templates = useQuery({
    queryKey: ['templates'],
    queryFn: ({ signal }) => listTemplates(signal),
  });
  const save = useMutation({
    mutationFn: () => {
      const settings: Record<string, unknown> =
        type === 'email'
          ? {
              to: lines(to),
              ...(host ? { host } : {}),
              ...(port ? { port: Number(port) } : {}),
              secure,
              requireTLS,
              ...(user ? { user } : {}),
              ...(password ? { password } : {}),
              ...(from ? { from } : {}),
            }
          : {
              url,
              method,
              ...(timeoutMs ? { timeoutMs: Number(timeoutMs) } : {}),
              ...(secret ? { secret } : {}),
              ...(headers.trim()
                ? {
                    headers: Object.fromEntries(
                      headers
                        .split('\n')
                        .filter((l) => l.includes(':'))
                        .map((l) => [
                          l.slice(0, l.indexOf(':')).trim(),
                          l.slice(l.indexOf(':') + 1).trim(),
                        ]),
                    ),
                  }
                : {}),
            };
      const body = {
        name: name.trim(),
        severities,
        templateId: templateId || null,
        rateLimit: limited
          ? { maxMessages: Number(maxMessages), windowSeconds: Number(windowSeconds) }
          : null,
        settings: settings as CreateChannelRequest['settings'],
      };
      return channel
        ? updateChannel(channel.id, body)
        : createChannel({ ...body, type, enabled: true });
    },
    onSuccess: onDone,
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const secretHint = (key: string) =>
    channel?.secrets[key] ? 'stored — leave empty to keep' : 'optional';

  return (
    <form className="form" onSubmit={onSubmit}>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="ch-name">Name</label>
          <input id="ch-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="ch-type">Type</label>
          <select
            id="ch-type"
            className="select"
            value={type}
            disabled={channel !== null}
            onChange={(e) => setType(e.target.value as ChannelType)}
          >
            <Options values={CHANNEL_TYPES} />
          </select>
        </div>
        <div className="field">
          <label htmlFor="ch-template">Template</label>
          <select
            id="ch-template"
            className="select"
            value={templateId}
            onChange={(e) => setTemplateId(e.target.value)}
          >
            <option value="">built-in default</option>
            {(templates.data ?? [])
              .filter((t) => t.channelType === type)
              .map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name}
                </option>
              ))}
          </select>
        </div>
      </div>
      <fieldset className="radio-row">
        <legend>Severities routed here</legend>
        {ALERT_SEVERITIES.map((sev) => (
          <label key={sev} className="checkbox">
            <input
              type="checkbox"
              checked={severities.includes(sev)}
              onChange={(e) =>
                setSeverities((list) =>
                  e.target.checked ? [...list, sev] : list.filter((x) => x !== sev),
                )
              }
            />
            {sev}
          </label>
        ))}
      </fieldset>

      {type === 'email' ? (
        <>
          <div className="field">
            <label htmlFor="ch-to">
              Recipients (one per line; empty: the rule's or the active recipients)
            </label>
            <textarea id="ch-to" rows={2} value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="ch-host">SMTP host (empty: SMTP_URL)</label>
              <input id="ch-host" value={host} onChange={(e) => setHost(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="ch-port">Port</label>
              <input
                id="ch-port"
                type="number"
                value={port}
                onChange={(e) => setPort(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="ch-from">From (empty: SMTP_FROM)</label>
              <input id="ch-from" value={from} onChange={(e) => setFrom(e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="ch-user">SMTP user</label>
              <input
                id="ch-user"
                autoComplete="off"
                value={user}
                onChange={(e) => setUser(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="ch-password">Password ({secretHint('password')})</label>
              <input
                id="ch-password"
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            </div>
          </div>
          <div className="radio-row">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={secure}
                onChange={(e) => setSecure(e.target.checked)}
              />
              Implicit TLS (port 465)
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={requireTLS}
                onChange={(e) => setRequireTLS(e.target.checked)}
              />
              Require STARTTLS
            </label>
          </div>
        </>
      ) : (
        <>
          <div className="form-row">
            <div className="field">
              <label htmlFor="ch-method">Method</label>
              <select
                id="ch-method"
                className="select"
                value={method}
                onChange={(e) => setMethod(e.target.value as WebhookMethod)}
              >
                <Options values={WEBHOOK_METHODS} />
              </select>
            </div>
            <div className="field grow">
              <label htmlFor="ch-url">URL</label>
              <input
                id="ch-url"
                type="url"
                required
                className="mono"
                value={url}
                placeholder="https://hooks.slack.com/services/…"
                onChange={(e) => setUrl(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="ch-timeout">Timeout (ms)</label>
              <input
                id="ch-timeout"
                type="number"
                value={timeoutMs}
                placeholder="10000"
                onChange={(e) => setTimeoutMs(e.target.value)}
              />
            </div>
          </div>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="ch-headers">
                Headers, one “Name: value” per line (
                {Array.isArray(channel?.settings.headerNames)
                  ? `stored: ${(channel.settings.headerNames as string[]).join(', ')}`
                  : 'optional'}
                )
              </label>
              <textarea
                id="ch-headers"
                className="mono"
                rows={2}
                value={headers}
                onChange={(e) => setHeaders(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="ch-secret">HMAC signing secret ({secretHint('secret')})</label>
              <input
                id="ch-secret"
                type="password"
                autoComplete="new-password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
              />
            </div>
          </div>
        </>
      )}

      <div className="form-row">
        <label className="checkbox">
          <input type="checkbox" checked={limited} onChange={(e) => setLimited(e.target.checked)} />
          Rate limit: fold messages beyond
        </label>
        <div className="field inline">
          <label htmlFor="ch-max" className="visually-hidden">
            Messages
          </label>
          <input
            id="ch-max"
            type="number"
            min={1}
            disabled={!limited}
            value={maxMessages}
            onChange={(e) => setMaxMessages(e.target.value)}
          />
          <span>per</span>
          <label htmlFor="ch-window" className="visually-hidden">
            Seconds
          </label>
          <input
            id="ch-window"
            type="number"
            min={1}
            disabled={!limited}
            value={windowSeconds}
            onChange={(e) => setWindowSeconds(e.target.value)}
          />
          <span>seconds into one summary</span>
        </div>
      </div>
      <InlineError error={save.error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {channel ? 'Save channel' : 'Add channel'}
        </button>
      </div>
    </form>
  );
}
