import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import {
  createPipeline,
  deletePipeline,
  listFormats,
  listPipelines,
  testParser,
  updatePipeline,
  type Pipeline,
  type PipelineStep,
} from '../../api/ingestion';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { useDebouncedValue } from '../../hooks/useDebouncedValue';
import { useCan } from '../../session';
import { PIPELINES_KEY } from './PipelinesTab';
import { PlaygroundResults } from './PlaygroundResults';
import { Options } from '../../components/Options';

const STEP_TEMPLATES: Record<string, PipelineStep> = {
  'parse (format)': { type: 'parse', format: 'nginx-access' },
  'parse (pattern)': {
    type: 'parse',
    pattern: '%{IPORHOST:client.ip} %{WORD:method} %{URIPATHPARAM:path} %{NUMBER:status:int}',
  },
  set: { type: 'set', field: 'env', value: 'production' },
  rename: { type: 'rename', from: 'fields.msg', to: 'message' },
  remove: { type: 'remove', fields: ['fields.password'] },
  tag: { type: 'tag', tags: ['edge'] },
  drop: { type: 'drop', when: { field: 'path', equals: '/health' } },
  redact: { type: 'redact', detectors: ['email', 'credit-card', 'bearer-token'] },
  sample: { type: 'sample', keepOneIn: 10, when: { field: 'level', in: ['debug'] } },
};

const SAMPLE_LINES = [
  '203.0.113.7 - - [21/Nov/2026:10:00:00 +0000] "GET /api/orders/42 HTTP/1.1" 200 512 "-" "curl/8.0"',
  '203.0.113.9 - - [21/Nov/2026:10:00:01 +0000] "POST /login HTTP/1.1" 500 87 "-" "Mozilla/5.0"',
  '198.51.100.4 - - [21/Nov/2026:10:00:02 +0000] "GET /health HTTP/1.1" 200 2 "-" "kube-probe/1.29"',
].join('\n');

type Mode = 'pipeline' | 'format' | 'pattern';

function parseSteps(text: string): { steps: PipelineStep[] } | { error: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value)) return { error: 'Steps must be a JSON array of step objects.' };
    if (!value.every((s) => typeof s === 'object' && s !== null && !Array.isArray(s)))
      return { error: 'Each step must be an object with a "type".' };
    return { steps: value as PipelineStep[] };
  } catch (err) {
    return { error: `Steps are not valid JSON: ${(err as Error).message}` };
  }
}

export function PipelineEditor() {
  const { id = 'new' } = useParams();
  const pipelines = useQuery({
    queryKey: PIPELINES_KEY,
    queryFn: ({ signal }) => listPipelines(signal),
  });
  if (id !== 'new' && pipelines.isPending) return <Loading />;
  if (id !== 'new' && pipelines.isError)
    return <ErrorState title="Could not load the pipeline" error={pipelines.error} />;
  const pipeline = id === 'new' ? null : (pipelines.data?.find((p) => p.id === id) ?? null);
  if (id !== 'new' && !pipeline)
    return <ErrorState title="No such pipeline" error={new Error(id)} />;
  return <Editor key={id} pipeline={pipeline} />;
}

function Editor({ pipeline }: { pipeline: Pipeline | null }) {
  const canEdit = useCan('editor');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState(pipeline?.name ?? '');
  const [source, setSource] = useState(pipeline?.source ?? '');
  const [timeZone, setTimeZone] = useState(pipeline?.timeZone ?? '');
  const [enabled, setEnabled] = useState(pipeline?.enabled ?? true);
  const [stepsText, setStepsText] = useState(
    JSON.stringify(pipeline?.steps ?? [STEP_TEMPLATES['parse (format)']], null, 2),
  );
  const [mode, setMode] = useState<Mode>('pipeline');
  const [format, setFormat] = useState(''); // '' = auto-detect
  const [pattern, setPattern] = useState(
    '%{IPORHOST:client.ip} %{NOTSPACE} %{NOTSPACE} \\[%{HTTPDATE:timestamp}\\] "%{WORD:method} %{URIPATHPARAM:path}',
  );
  const [samples, setSamples] = useState(SAMPLE_LINES);

  const parsedSteps = useMemo(() => parseSteps(stepsText), [stepsText]);
  // "Saved" shows until the form changes again.
  const snapshot = JSON.stringify([name, source, timeZone, enabled, stepsText]);
  const [savedSnapshot, setSavedSnapshot] = useState<string | null>(null);
  const formats = useQuery({ queryKey: ['formats'], queryFn: ({ signal }) => listFormats(signal) });

  // The playground runs as you type, once typing pauses.
  const playgroundInput = useMemo(() => {
    const lines = samples
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(0, 1000);
    const tz = timeZone.trim() || undefined;
    if (lines.length === 0) return null;
    if (mode === 'pipeline')
      return 'steps' in parsedSteps ? { lines, steps: parsedSteps.steps, timeZone: tz } : null;
    if (mode === 'format')
      return format ? { lines, format, timeZone: tz } : { lines, timeZone: tz };
    return pattern.trim() === '' ? null : { lines, pattern, timeZone: tz };
  }, [samples, mode, parsedSteps, format, pattern, timeZone]);
  const debounced = useDebouncedValue(playgroundInput, 250);
  const playground = useQuery({
    queryKey: ['playground', debounced],
    queryFn: ({ signal }) => testParser(debounced!, signal),
    enabled: debounced !== null,
    placeholderData: keepPreviousData,
    retry: false,
  });

  const save = useMutation({
    mutationFn: () => {
      if (!('steps' in parsedSteps)) throw new Error(parsedSteps.error);
      const body = {
        name: name.trim(),
        source: source.trim(),
        steps: parsedSteps.steps,
        timeZone: timeZone.trim() || null,
        enabled,
      };
      return pipeline ? updatePipeline(pipeline.id, body) : createPipeline(body);
    },
    onSuccess: (saved) => {
      setSavedSnapshot(snapshot);
      void queryClient.invalidateQueries({ queryKey: PIPELINES_KEY });
      if (!pipeline) navigate(`/sources/pipelines/${saved.id}`, { replace: true });
    },
  });
  const remove = useMutation({
    mutationFn: () => deletePipeline(pipeline!.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: PIPELINES_KEY });
      navigate('/sources/pipelines');
    },
  });

  function addStep(template: PipelineStep) {
    const current = 'steps' in parsedSteps ? parsedSteps.steps : [];
    setStepsText(JSON.stringify([...current, template], null, 2));
  }

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  return (
    <div className="editor-layout">
      <form className="panel form" onSubmit={onSubmit} aria-label="Pipeline">
        <h2>{pipeline ? `Pipeline ${pipeline.name}` : canEdit ? 'New pipeline' : 'Playground'}</h2>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="pl-name">Name</label>
            <input id="pl-name" required value={name} onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="pl-source">Source</label>
            <input
              id="pl-source"
              className="mono"
              required
              value={source}
              placeholder="nginx"
              onChange={(e) => setSource(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="pl-tz">Time zone</label>
            <input
              id="pl-tz"
              value={timeZone}
              placeholder="UTC"
              onChange={(e) => setTimeZone(e.target.value)}
            />
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
          <label htmlFor="pl-steps">Steps (JSON, run in order)</label>
          <textarea
            id="pl-steps"
            className="mono code-editor"
            rows={14}
            spellCheck={false}
            value={stepsText}
            aria-invalid={'error' in parsedSteps}
            aria-describedby="pl-steps-help"
            onChange={(e) => setStepsText(e.target.value)}
          />
          <div id="pl-steps-help" className={'error' in parsedSteps ? 'text-error' : 'hint'}>
            {'error' in parsedSteps
              ? parsedSteps.error
              : 'Steps: parse, set, rename, remove, tag, drop, redact, sample. Conditions: {field, equals | in | matches | exists | gte | lte}, {all}, {any}, {not}.'}
          </div>
        </div>
        <div className="step-buttons" role="group" aria-label="Add a step">
          <span className="dim">Add:</span>
          {Object.entries(STEP_TEMPLATES).map(([label, template]) => (
            <button
              key={label}
              type="button"
              className="button small"
              onClick={() => addStep(template)}
            >
              {label}
            </button>
          ))}
        </div>
        <InlineError error={save.error ?? remove.error} />
        {savedSnapshot === snapshot && (
          <p className="notice" role="status">
            Saved. Running workers use it within a second.
          </p>
        )}
        {canEdit && (
          <div className="form-actions">
            <button type="submit" className="button primary" disabled={save.isPending}>
              {pipeline ? 'Save pipeline' : 'Create pipeline'}
            </button>
            {pipeline && (
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  if (window.confirm(`Delete the pipeline ${pipeline.name}?`)) remove.mutate();
                }}
              >
                Delete
              </button>
            )}
          </div>
        )}
      </form>

      <section className="panel playground" aria-labelledby="pg-title">
        <h2 id="pg-title">Playground</h2>
        <p className="hint">Paste sample lines; the fields update as you type.</p>
        <fieldset className="radio-row">
          <legend className="visually-hidden">Try</legend>
          <label className="checkbox">
            <input
              type="radio"
              name="pg-mode"
              checked={mode === 'pipeline'}
              onChange={() => setMode('pipeline')}
            />
            these steps
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="pg-mode"
              checked={mode === 'format'}
              onChange={() => setMode('format')}
            />
            a format
          </label>
          <label className="checkbox">
            <input
              type="radio"
              name="pg-mode"
              checked={mode === 'pattern'}
              onChange={() => setMode('pattern')}
            />
            a grok pattern
          </label>
        </fieldset>
        {mode === 'format' && (
          <div className="field">
            <label htmlFor="pg-format">Format</label>
            <select
              id="pg-format"
              className="select"
              value={format}
              onChange={(e) => setFormat(e.target.value)}
            >
              <option value="">auto-detect</option>
              <Options values={formats.data ?? []} />
            </select>
          </div>
        )}
        {mode === 'pattern' && (
          <div className="field">
            <label htmlFor="pg-pattern">Pattern (grok or RE2)</label>
            <input
              id="pg-pattern"
              className="mono"
              spellCheck={false}
              value={pattern}
              onChange={(e) => setPattern(e.target.value)}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="pg-lines">Sample lines</label>
          <textarea
            id="pg-lines"
            className="mono code-editor"
            rows={6}
            spellCheck={false}
            value={samples}
            data-testid="playground-lines"
            onChange={(e) => setSamples(e.target.value)}
          />
        </div>
        {mode === 'pipeline' && 'error' in parsedSteps && (
          <p className="hint">Fix the steps to see results.</p>
        )}
        <PlaygroundResults
          results={playground.data}
          error={playground.error}
          busy={playground.isFetching}
        />
      </section>
    </div>
  );
}
