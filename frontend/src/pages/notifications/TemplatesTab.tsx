import {
  CHANNEL_TYPES,
  type ChannelType,
  type CreateTemplateRequest,
  type NotificationTemplate,
  type TemplateParts,
} from '@app/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { NavLink, useNavigate, useParams } from 'react-router-dom';
import {
  createTemplate,
  deleteTemplate,
  listTemplates,
  previewTemplate,
  updateTemplate,
} from '../../api/notifications';
import { ErrorState, InlineError, Loading } from '../../components/States';
import { useDebouncedValue } from '../../hooks/useDebouncedValue';
import { useCan } from '../../session';
import { SandboxedHtml } from './SandboxedHtml';
import { Options } from '../../components/Options';

const TEMPLATES = ['templates'] as const;

const EMPTY_EMAIL: TemplateParts = {
  subject: '[{{severity}}] {{ruleName}} is {{state}}',
  text: '{{reason}}\n\n{{#each samples}}{{date ts}} {{message}}\n{{/each}}',
};
const EMPTY_WEBHOOK: TemplateParts = { body: '{"text": "{{ruleName}}: {{reason}}"}' };

type Part = keyof TemplateParts;
const PARTS: Record<ChannelType, Part[]> = {
  email: ['subject', 'text', 'html'],
  webhook: ['body'],
};

export function TemplatesTab() {
  const { id } = useParams();
  const templates = useQuery({
    queryKey: TEMPLATES,
    queryFn: ({ signal }) => listTemplates(signal),
  });
  if (templates.isPending) return <Loading />;
  if (templates.isError)
    return <ErrorState title="Could not load templates" error={templates.error} />;
  const selected =
    id === 'new' ? null : (templates.data.find((t) => t.id === id) ?? templates.data[0] ?? null);
  return (
    <div className="templates-layout">
      <nav className="template-list" aria-label="Templates">
        <NavLink to="/notifications/templates/new" className="template-link new">
          + New template
        </NavLink>
        {templates.data.map((t) => (
          <NavLink
            key={t.id}
            to={`/notifications/templates/${t.id}`}
            className={({ isActive }) =>
              `template-link${isActive || (!id && t === selected) ? ' active' : ''}`
            }
          >
            <span>{t.name}</span>
            <span className="dim">
              {t.channelType}
              {t.builtIn && ' · built-in'}
            </span>
          </NavLink>
        ))}
      </nav>
      <TemplateEditor key={selected?.id ?? 'new'} template={selected} />
    </div>
  );
}

function TemplateEditor({ template }: { template: NotificationTemplate | null }) {
  const admin = useCan('admin');
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const readOnly = !admin || template?.builtIn === true;
  const [name, setName] = useState(
    template ? (template.builtIn ? `${template.name} (copy)` : template.name) : '',
  );
  const [channelType, setChannelType] = useState<ChannelType>(template?.channelType ?? 'email');
  const [contentType, setContentType] = useState(template?.contentType ?? 'application/json');
  const [timeZone, setTimeZone] = useState(template?.timeZone ?? 'UTC');
  const [firing, setFiring] = useState<TemplateParts>(template?.firing ?? EMPTY_EMAIL);
  const [resolved, setResolved] = useState<TemplateParts>(template?.resolved ?? EMPTY_EMAIL);
  const [copying, setCopying] = useState(false);
  const editable = !readOnly || copying;

  const draft: CreateTemplateRequest = useMemo(
    () => ({
      name: name.trim() || 'untitled',
      channelType,
      ...(channelType === 'webhook' ? { contentType } : {}),
      timeZone,
      firing,
      resolved,
    }),
    [name, channelType, contentType, timeZone, firing, resolved],
  );
  // Live preview of what is in the form, once typing pauses.
  const previewInput = useDebouncedValue(draft, 300);
  const preview = useQuery({
    queryKey: ['template-preview', previewInput],
    queryFn: ({ signal }) => previewTemplate(previewInput, signal),
    enabled: admin,
    placeholderData: keepPreviousData,
    retry: false,
  });

  const save = useMutation({
    mutationFn: () =>
      template && !template.builtIn
        ? updateTemplate(template.id, {
            name: draft.name,
            contentType: draft.contentType,
            timeZone,
            firing,
            resolved,
          })
        : createTemplate(draft),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: TEMPLATES });
      navigate(`/notifications/templates/${saved.id}`);
    },
  });
  const remove = useMutation({
    mutationFn: () => deleteTemplate(template!.id),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: TEMPLATES });
      navigate('/notifications/templates');
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    save.mutate();
  }

  function changeType(next: ChannelType) {
    setChannelType(next);
    const empty = next === 'email' ? EMPTY_EMAIL : EMPTY_WEBHOOK;
    setFiring(empty);
    setResolved(empty);
  }

  return (
    <div className="template-editor">
      <form className="panel form" onSubmit={onSubmit} aria-label="Template">
        <div className="panel-head">
          <h2>{template ? template.name : 'New template'}</h2>
          {template?.builtIn && <span className="tag">built-in: read-only</span>}
        </div>
        <fieldset className="plain" disabled={!editable}>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="tpl-name">Name</label>
              <input
                id="tpl-name"
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor="tpl-type">For</label>
              <select
                id="tpl-type"
                className="select"
                value={channelType}
                disabled={template !== null}
                onChange={(e) => changeType(e.target.value as ChannelType)}
              >
                <Options values={CHANNEL_TYPES} />
              </select>
            </div>
            <div className="field">
              <label htmlFor="tpl-tz">Time zone of dates</label>
              <input id="tpl-tz" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
            </div>
            {channelType === 'webhook' && (
              <div className="field">
                <label htmlFor="tpl-ct">Content-Type</label>
                <input
                  id="tpl-ct"
                  value={contentType}
                  onChange={(e) => setContentType(e.target.value)}
                />
              </div>
            )}
          </div>
          <PartsEditor
            title="Firing"
            prefix="firing"
            parts={PARTS[channelType]}
            value={firing}
            onChange={setFiring}
          />
          <PartsEditor
            title="Resolved"
            prefix="resolved"
            parts={PARTS[channelType]}
            value={resolved}
            onChange={setResolved}
          />
        </fieldset>
        <p className="hint">
          Handlebars: <code>{'{{ruleName}}'}</code>, <code>{'{{reason}}'}</code>,{' '}
          <code>{'{{severity}}'}</code>, <code>{'{{state}}'}</code>, <code>{'{{groupKey}}'}</code>,{' '}
          <code>{'{{#each samples}}…{{/each}}'}</code>, <code>{'{{date ts}}'}</code>. Values are
          escaped for the output format.
        </p>
        <InlineError error={save.error ?? remove.error} />
        {admin && (
          <div className="form-actions">
            {editable ? (
              <button type="submit" className="button primary" disabled={save.isPending}>
                {template && !template.builtIn ? 'Save template' : 'Create template'}
              </button>
            ) : (
              <button type="button" className="button" onClick={() => setCopying(true)}>
                Edit a copy
              </button>
            )}
            {template && !template.builtIn && (
              <button
                type="button"
                className="button danger"
                onClick={() => {
                  if (window.confirm(`Delete the template ${template.name}?`)) remove.mutate();
                }}
              >
                Delete
              </button>
            )}
          </div>
        )}
      </form>

      <section
        className="panel preview"
        aria-labelledby="tpl-preview"
        data-testid="template-preview"
      >
        <div className="panel-head">
          <h2 id="tpl-preview">Preview</h2>
          <span className="dim">{preview.isFetching ? 'rendering…' : 'a sample alert'}</span>
        </div>
        {!admin ? (
          <p className="dim">Previews are rendered for admins.</p>
        ) : preview.isError ? (
          <p className="form-error" role="alert">
            {preview.error.message}
          </p>
        ) : preview.data ? (
          <>
            <RenderedParts title="Firing" parts={preview.data.firing} />
            <RenderedParts title="Resolved" parts={preview.data.resolved} />
            <RenderedParts title="Flood-control summary" parts={preview.data.summary} />
          </>
        ) : (
          <p className="dim">Rendering…</p>
        )}
      </section>
    </div>
  );
}

function PartsEditor({
  title,
  prefix,
  parts,
  value,
  onChange,
}: {
  title: string;
  prefix: string;
  parts: Part[];
  value: TemplateParts;
  onChange: (parts: TemplateParts) => void;
}) {
  return (
    <div className="parts-editor">
      <h3 className="section-title">{title}</h3>
      {parts.map((part) => (
        <div key={part} className="field">
          <label htmlFor={`${prefix}-${part}`}>{part}</label>
          {part === 'subject' ? (
            <input
              id={`${prefix}-${part}`}
              className="mono"
              value={value[part] ?? ''}
              onChange={(e) => onChange({ ...value, [part]: e.target.value })}
            />
          ) : (
            <textarea
              id={`${prefix}-${part}`}
              className="mono code-editor"
              rows={part === 'html' ? 4 : 6}
              spellCheck={false}
              value={value[part] ?? ''}
              placeholder={part === 'html' ? 'optional' : undefined}
              onChange={(e) =>
                onChange({
                  ...value,
                  [part]: e.target.value === '' && part === 'html' ? undefined : e.target.value,
                })
              }
            />
          )}
        </div>
      ))}
    </div>
  );
}

function RenderedParts({ title, parts }: { title: string; parts: TemplateParts }) {
  return (
    <div className="rendered">
      <h3 className="section-title">{title}</h3>
      {parts.subject !== undefined && (
        <p className="rendered-subject">
          <span className="dim">Subject: </span>
          {parts.subject}
        </p>
      )}
      {parts.text !== undefined && <pre className="rendered-text">{parts.text}</pre>}
      {parts.body !== undefined && <pre className="rendered-text">{parts.body}</pre>}
      {parts.html !== undefined && <SandboxedHtml html={parts.html} title={`${title} HTML`} />}
    </div>
  );
}
