import {
  ALERT_RULE_TYPES,
  ALERT_SEVERITIES,
  type AlertRule,
  type AlertRuleInput,
  type AlertRuleType,
  type AlertSeverity,
  type BacktestResponse,
} from '@app/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import {
  backtestRule,
  createAlertRule,
  deleteAlertRule,
  getAlertRule,
  updateAlertRule,
} from '../../api/alerting';
import { ApiError } from '../../api/client';
import { getHistogram } from '../../api/logs';
import { listChannels } from '../../api/notifications';
import { TimeChart } from '../../components/charts/TimeChart';
import { QueryInput, type QueryProblem } from '../../components/QueryInput';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { formatLocalTime } from '../../format';
import { useDebouncedValue } from '../../hooks/useDebouncedValue';
import { LEVEL_CHART_COLORS } from '../../levels';
import { useCan } from '../../session';
import { useTheme } from '../../theme';
import { resolveRange } from '../../time';
import { EvidenceLines } from './alert-ui';
import {
  cleanSettings,
  DEFAULT_SETTINGS,
  RULE_TYPE_HELP,
  visibleFields,
  type SettingField,
} from './rule-settings';
import { RULES } from './RulesTab';
import { Options } from '../../components/Options';

const BACKTEST_RANGES = [
  { from: 'now-1h', label: 'last hour' },
  { from: 'now-6h', label: 'last 6 hours' },
  { from: 'now-24h', label: 'last 24 hours' },
  { from: 'now-7d', label: 'last 7 days' },
];

export function RuleEditor() {
  const { id = 'new' } = useParams();
  const rule = useQuery({
    queryKey: ['alert-rule', id],
    queryFn: ({ signal }) => getAlertRule(id, signal),
    enabled: id !== 'new',
  });
  if (id !== 'new' && rule.isPending) return <Loading />;
  if (id !== 'new' && rule.isError)
    return <ErrorState title="Could not load the rule" error={rule.error} />;
  return <Editor key={id} rule={id === 'new' ? null : (rule.data ?? null)} />;
}

function problemOf(error: unknown): QueryProblem | null {
  if (error instanceof ApiError && error.status === 400 && error.position !== null)
    return { message: error.message, position: error.position };
  return null;
}

function Editor({ rule }: { rule: AlertRule | null }) {
  const canEdit = useCan('editor');
  const theme = useTheme();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState(rule?.name ?? '');
  const [description, setDescription] = useState(rule?.description ?? '');
  const [query, setQuery] = useState(rule?.query ?? 'level:>=error');
  const [type, setType] = useState<AlertRuleType>(rule?.type ?? 'threshold');
  const [severity, setSeverity] = useState<AlertSeverity>(rule?.severity ?? 'high');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [groupBy, setGroupBy] = useState((rule?.groupBy ?? []).join(', '));
  const [forSeconds, setForSeconds] = useState(String(rule?.forSeconds ?? 0));
  const [repeat, setRepeat] = useState(String(rule?.repeatIntervalSeconds ?? 0));
  const [sampleSize, setSampleSize] = useState(String(rule?.sampleSize ?? 5));
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channelIds ?? []);
  const [recipients, setRecipients] = useState((rule?.recipients ?? []).join(', '));
  const [settings, setSettings] = useState<Record<string, unknown>>(
    rule
      ? { ...(rule.settings as unknown as Record<string, unknown>) }
      : DEFAULT_SETTINGS.threshold,
  );
  const [rangeFrom, setRangeFrom] = useState('now-24h');
  // Set after a save; a new rule arrives here with it in the navigation state.
  const location = useLocation();
  const [savedAt, setSavedAt] = useState<string | null>(
    (location.state as { savedAt?: string } | null)?.savedAt ?? null,
  );

  const channels = useQuery({
    queryKey: ['channels'],
    queryFn: ({ signal }) => listChannels(signal),
  });

  const input: AlertRuleInput = useMemo(
    () => ({
      name: name.trim() || 'untitled',
      description: description.trim() || null,
      query,
      type,
      severity,
      enabled,
      groupBy: groupBy
        .split(',')
        .map((g) => g.trim())
        .filter(Boolean),
      forSeconds: Number(forSeconds) || 0,
      repeatIntervalSeconds: Number(repeat) || 0,
      sampleSize: Number(sampleSize) || 5,
      channelIds,
      recipients: recipients
        .split(/[\s,;]+/)
        .map((r) => r.trim())
        .filter(Boolean),
      settings: cleanSettings(type, settings),
    }),
    [
      name,
      description,
      query,
      type,
      severity,
      enabled,
      groupBy,
      forSeconds,
      repeat,
      sampleSize,
      channelIds,
      recipients,
      settings,
    ],
  );

  // The backtest follows the form, once typing pauses.
  const [rangeTick, setRangeTick] = useState(0);
  const range = useMemo(() => resolveRange({ from: rangeFrom, to: 'now' }), [rangeFrom, rangeTick]);
  const backtestInput = useDebouncedValue({ input, range }, 600);
  const backtest = useQuery({
    queryKey: ['backtest', backtestInput],
    queryFn: ({ signal }) => backtestRule(backtestInput.input, backtestInput.range, signal),
    placeholderData: keepPreviousData,
    retry: false,
  });
  const windowSeconds =
    typeof settings.windowSeconds === 'number' && settings.windowSeconds > 0
      ? settings.windowSeconds
      : 60;
  const spanSeconds = (Date.parse(range.to) - Date.parse(range.from)) / 1000;
  const interval = spanSeconds / windowSeconds <= 720 ? `${windowSeconds}s` : 'auto';
  const histogramQuery = useDebouncedValue(
    { q: query, from: range.from, to: range.to, levels: [], sources: [] },
    600,
  );
  const histogram = useQuery({
    queryKey: ['backtest-histogram', histogramQuery, interval],
    queryFn: ({ signal }) => getHistogram(histogramQuery, { interval, split: false }, signal),
    placeholderData: keepPreviousData,
    retry: false,
  });

  const save = useMutation({
    mutationFn: () =>
      rule ? updateAlertRule(rule.id, input) : createAlertRule({ ...input, name: name.trim() }),
    onSuccess: (saved) => {
      setSavedAt(new Date().toISOString());
      void queryClient.invalidateQueries({ queryKey: RULES });
      queryClient.setQueryData(['alert-rule', saved.id], saved);
      if (!rule)
        navigate(`/alerts/rules/${saved.id}`, {
          replace: true,
          state: { savedAt: new Date().toISOString() },
        });
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteAlertRule(rule!.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: RULES });
      navigate('/alerts/rules');
    },
  });

  function changeType(next: AlertRuleType) {
    setType(next);
    setSettings(DEFAULT_SETTINGS[next]);
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  const problem = problemOf(save.error) ?? problemOf(backtest.error);
  // The threshold on the chart's scale: per bucket instead of per window (the same rate).
  const bucketSeconds = histogram.data?.intervalSeconds ?? windowSeconds;
  const perWindow =
    type === 'threshold' && typeof settings.threshold === 'number'
      ? settings.metric === 'rate'
        ? settings.threshold * windowSeconds
        : settings.threshold
      : null;
  const thresholdLine = perWindow === null ? null : perWindow * (bucketSeconds / windowSeconds);

  return (
    <div className="editor-layout">
      <form
        className="panel form"
        onSubmit={onSubmit}
        aria-label="Alert rule"
        data-testid="rule-form"
      >
        <div className="panel-head">
          <h2>{rule ? rule.name : 'New alert rule'}</h2>
          {rule && (
            <Link to={`/alerts/history?rule=${rule.id}`} className="dim">
              history
            </Link>
          )}
        </div>
        <fieldset className="plain" disabled={!canEdit}>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="rule-name">Name</label>
              <input
                id="rule-name"
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="rule-severity">Severity</label>
              <select
                id="rule-severity"
                className="select"
                value={severity}
                onChange={(e) => setSeverity(e.target.value as AlertSeverity)}
              >
                <Options values={ALERT_SEVERITIES} />
              </select>
            </div>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={enabled}
                onChange={(e) => setEnabled(e.target.checked)}
              />
              Enabled
            </label>
          </div>
          <div className="field">
            <label htmlFor="rule-description">Description</label>
            <input
              id="rule-description"
              value={description}
              placeholder="What to do when it fires"
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="field">
            <span className="field-label">Lines the rule looks at (query)</span>
            <QueryInput
              label="Rule query"
              value={query}
              onChange={setQuery}
              problem={problem}
              placeholder="empty: every line"
              testId="rule-query"
            />
          </div>
          <div className="field">
            <label htmlFor="rule-type">Type</label>
            <select
              id="rule-type"
              className="select"
              value={type}
              onChange={(e) => changeType(e.target.value as AlertRuleType)}
            >
              <Options values={ALERT_RULE_TYPES} />
            </select>
            <span className="hint">{RULE_TYPE_HELP[type]}</span>
          </div>
          <div className="form-grid settings-grid">
            {visibleFields(type, settings).map((field) => (
              <SettingInput
                key={field.key}
                field={field}
                value={settings[field.key]}
                onChange={(value) => setSettings((s) => ({ ...s, [field.key]: value }))}
              />
            ))}
          </div>
          <details className="more">
            <summary>Grouping, timing, evidence and where it is sent</summary>
            <div className="form-grid">
              <div className="field">
                <label htmlFor="rule-group">Group by (up to 3)</label>
                <input
                  id="rule-group"
                  className="mono"
                  value={groupBy}
                  placeholder="host, fields.region"
                  onChange={(e) => setGroupBy(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="rule-for">Pending for (s) before firing</label>
                <input
                  id="rule-for"
                  type="number"
                  min={0}
                  value={forSeconds}
                  onChange={(e) => setForSeconds(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="rule-repeat">Repeat every (s; 0 never)</label>
                <input
                  id="rule-repeat"
                  type="number"
                  min={0}
                  value={repeat}
                  onChange={(e) => setRepeat(e.target.value)}
                />
              </div>
              <div className="field">
                <label htmlFor="rule-samples">Evidence lines kept</label>
                <input
                  id="rule-samples"
                  type="number"
                  min={1}
                  max={50}
                  value={sampleSize}
                  onChange={(e) => setSampleSize(e.target.value)}
                />
              </div>
            </div>
            <fieldset className="radio-row spaced">
              <legend>Channels (none: routed by severity)</legend>
              {(channels.data ?? []).length === 0 && <span className="dim">no channels yet</span>}
              {(channels.data ?? []).map((c) => (
                <label key={c.id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={channelIds.includes(c.id)}
                    onChange={(e) =>
                      setChannelIds((list) =>
                        e.target.checked ? [...list, c.id] : list.filter((x) => x !== c.id),
                      )
                    }
                  />
                  {c.name}
                </label>
              ))}
            </fieldset>
            <div className="field spaced">
              <label htmlFor="rule-recipients">
                E-mail recipients (none: the active recipients)
              </label>
              <input
                id="rule-recipients"
                value={recipients}
                placeholder="oncall@example.com"
                onChange={(e) => setRecipients(e.target.value)}
              />
            </div>
          </details>
        </fieldset>
        <InlineError error={problem ? null : (save.error ?? remove.error)} />
        {savedAt && !save.isPending && !save.isError && (
          <p className="notice" role="status">
            Saved. Running workers evaluate it within a second.
          </p>
        )}
        {canEdit && (
          <div className="form-actions">
            <button
              type="submit"
              className="button primary"
              disabled={save.isPending}
              data-testid="rule-save"
            >
              {rule ? 'Save rule' : 'Create rule'}
            </button>
            {rule && (
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  if (window.confirm(`Delete the rule ${rule.name}? Its history stays.`))
                    remove.mutate();
                }}
              >
                Delete
              </button>
            )}
          </div>
        )}
      </form>

      <section className="panel backtest" aria-labelledby="bt-title" data-testid="backtest">
        <div className="panel-head">
          <h2 id="bt-title">Backtest</h2>
          <div className="inline-controls">
            <label htmlFor="bt-range" className="visually-hidden">
              Backtest over
            </label>
            <select
              id="bt-range"
              className="select small"
              value={rangeFrom}
              onChange={(e) => setRangeFrom(e.target.value)}
            >
              {BACKTEST_RANGES.map((r) => (
                <option key={r.from} value={r.from}>
                  {r.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button small"
              onClick={() => setRangeTick((t) => t + 1)}
            >
              Rerun
            </button>
          </div>
        </div>
        <p className="hint">
          How this rule, as it is in the form, would have behaved on your stored lines.
        </p>
        {histogram.data ? (
          <TimeChart
            x={histogram.data.buckets.map((b) => Date.parse(b.ts))}
            kind="bars"
            height={170}
            label="Matching lines over the backtest range, with the periods the rule would have fired"
            bucketMs={histogram.data.intervalSeconds * 1000}
            threshold={thresholdLine}
            bands={backtest.data ? firingBands(backtest.data) : []}
            series={[
              {
                label: `matching lines per ${histogram.data.interval}`,
                color: LEVEL_CHART_COLORS[theme].notice,
                values: histogram.data.buckets.map((b) => b.count),
              },
            ]}
            testId="backtest-chart"
          />
        ) : (
          <div className="chart-placeholder" />
        )}
        <div className={backtest.isFetching ? 'is-stale' : undefined}>
          {backtest.isError && !problem ? (
            <InlineError error={backtest.error} />
          ) : backtest.data ? (
            <BacktestSummary result={backtest.data} query={query} />
          ) : (
            <p className="dim">Replaying…</p>
          )}
        </div>
      </section>
    </div>
  );
}

/** Periods with at least one group firing, from the backtest's transitions. */
function firingBands(result: BacktestResponse): { fromMs: number; toMs: number }[] {
  const open = new Map<string, number>();
  const bands: { fromMs: number; toMs: number }[] = [];
  for (const event of result.timeline) {
    const at = Date.parse(event.at);
    if (event.to === 'firing' && !open.has(event.groupKey)) open.set(event.groupKey, at);
    if (event.to === 'resolved' && open.has(event.groupKey)) {
      bands.push({ fromMs: open.get(event.groupKey)!, toMs: at });
      open.delete(event.groupKey);
    }
  }
  const end = Date.parse(result.to);
  for (const from of open.values()) bands.push({ fromMs: from, toMs: end });
  return bands;
}

function BacktestSummary({ result, query }: { result: BacktestResponse; query: string }) {
  const [open, setOpen] = useState<number | null>(null);
  const fires = result.timeline
    .map((event, index) => ({ event, index }))
    .filter(({ event }) => event.to === 'firing' && !event.repeat);
  return (
    <>
      <p className="backtest-verdict" data-testid="backtest-summary">
        Would have fired <strong>{result.fires}</strong> {result.fires === 1 ? 'time' : 'times'},
        resolved {result.resolves}, and sent {result.notifications}{' '}
        {result.notifications === 1 ? 'notification' : 'notifications'} —{' '}
        {result.matchedLines.toLocaleString()} matching lines in {result.groups}{' '}
        {result.groups === 1 ? 'group' : 'groups'}, replayed in {result.tookMs} ms.
        {result.truncated && ' (The timeline is cut at 1,000 events.)'}
      </p>
      {fires.length > 0 && (
        <table className="data-table compact">
          <thead>
            <tr>
              <th scope="col">Fired at</th>
              <th scope="col">Group</th>
              <th scope="col">Why</th>
              <th scope="col">
                <span className="visually-hidden">Evidence</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fires.slice(0, 20).map(({ event, index }) => (
              <FireRow
                key={index}
                event={event}
                open={open === index}
                onToggle={() => setOpen(open === index ? null : index)}
                query={query}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function FireRow({
  event,
  open,
  onToggle,
  query,
}: {
  event: BacktestResponse['timeline'][number];
  open: boolean;
  onToggle: () => void;
  query: string;
}) {
  return (
    <>
      <tr>
        <td className="dim">{formatLocalTime(event.at)}</td>
        <td className="mono">{event.groupKey || '—'}</td>
        <td className="truncate" title={event.reason}>
          {event.reason}
        </td>
        <td className="actions">
          {event.samples.length > 0 && (
            <button type="button" className="button small" aria-expanded={open} onClick={onToggle}>
              {open ? 'Hide lines' : `${event.samples.length} lines`}
            </button>
          )}
        </td>
      </tr>
      {open && (
        <tr className="detail-row">
          <td colSpan={4}>
            <EvidenceLines samples={event.samples} query={query} />
          </td>
        </tr>
      )}
    </>
  );
}

function SettingInput({
  field,
  value,
  onChange,
}: {
  field: SettingField;
  value: unknown;
  onChange: (value: unknown) => void;
}) {
  const id = `setting-${field.key}`;
  if (field.kind === 'boolean') {
    return (
      <label className="checkbox">
        <input
          id={id}
          type="checkbox"
          checked={value !== false}
          onChange={(e) => onChange(e.target.checked)}
        />
        {field.label}
      </label>
    );
  }
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      {field.kind === 'select' ? (
        <select
          id={id}
          className="select"
          value={String(value ?? field.options?.[0] ?? '')}
          onChange={(e) => onChange(e.target.value)}
        >
          {field.options?.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={field.kind === 'number' ? 'number' : 'text'}
          step="any"
          value={value === undefined || value === null ? '' : String(value)}
          placeholder={field.placeholder}
          onChange={(e) =>
            onChange(
              field.kind === 'number'
                ? e.target.value === ''
                  ? undefined
                  : Number(e.target.value)
                : e.target.value,
            )
          }
        />
      )}
      {field.help && <span className="hint">{field.help}</span>}
    </div>
  );
}
