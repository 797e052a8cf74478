import type { AlertNotification, TemplateParts } from '@app/contracts';
import { builtinTemplate, DEFAULT_TEMPLATE_ID, type TemplateDefinition } from './builtin-templates';
import {
  alertContext,
  sampleAlert,
  sampleSummaryItems,
  sparseSampleAlert,
  summaryContext,
  type SummaryTemplateContext,
} from './template-context';
import { assertTimeZone, renderPart, TemplateError, type EscapeMode } from './template-engine';

export type TemplateVariant = 'firing' | 'resolved' | 'summary';

/** A message ready for a channel: email uses subject/text/html, a webhook body/contentType. */
export interface RenderedMessage {
  subject: string | null;
  text: string | null;
  html: string | null;
  body: string | null;
  contentType: string | null;
}

const MAX_SUBJECT_LENGTH = 900;

export function isJsonContentType(contentType: string | null): boolean {
  return contentType !== null && /[/+]json\b/i.test(contentType);
}

/** The parts of a variant; a template without a summary uses its type's default summary. */
export function variantParts(
  template: TemplateDefinition,
  variant: TemplateVariant,
): TemplateParts {
  if (variant !== 'summary') return template[variant];
  return (
    template.summary ?? builtinTemplate(DEFAULT_TEMPLATE_ID[template.channelType])!.summary ?? {}
  );
}

/** Renders one variant of a template against a context (alert or summary). */
export function renderVariant(
  template: TemplateDefinition,
  variant: TemplateVariant,
  context: object,
): RenderedMessage {
  const parts = variantParts(template, variant);
  const options = { timeZone: template.timeZone };
  const render = (name: keyof TemplateParts, mode: EscapeMode): string | null => {
    const source = parts[name];
    return source === undefined || source === null
      ? null
      : renderPart(`${variant}.${name}`, source, mode, context, options);
  };
  if (template.channelType === 'email') {
    const subject = render('subject', 'none');
    return {
      // A subject is one line: new lines in log text must not reach the header.
      subject:
        subject === null ? null : subject.replace(/\s+/g, ' ').trim().slice(0, MAX_SUBJECT_LENGTH),
      text: render('text', 'none'),
      html: render('html', 'html'),
      body: null,
      contentType: null,
    };
  }
  const contentType = template.contentType ?? 'application/json';
  return {
    subject: null,
    text: null,
    html: null,
    body: render('body', isJsonContentType(contentType) ? 'json' : 'none'),
    contentType,
  };
}

export function renderAlertMessage(
  template: TemplateDefinition,
  notification: AlertNotification,
  publicUrl: string,
): RenderedMessage {
  return renderVariant(template, notification.state, alertContext(notification, publicUrl));
}

export function renderSummaryMessage(
  template: TemplateDefinition,
  context: SummaryTemplateContext,
): RenderedMessage {
  return renderVariant(template, 'summary', context);
}

/** The summary context templates are checked and previewed against. */
export function sampleSummaryContext(publicUrl: string): SummaryTemplateContext {
  return summaryContext(
    'On-call email',
    Date.parse('2026-11-21T09:10:00.000Z'),
    300,
    sampleSummaryItems(publicUrl),
    publicUrl,
  );
}

/**
 * The save-time check: every part compiles, renders in strict mode against the sample alerts
 * (full and sparse, firing and resolved) and the sample summary, and the required parts are there.
 * A JSON body must be valid JSON for the sample's hostile log text. Throws a TemplateError.
 */
export function checkTemplate(template: TemplateDefinition, publicUrl: string): void {
  try {
    assertTimeZone(template.timeZone);
  } catch (error) {
    throw new TemplateError('timeZone', (error as Error).message);
  }
  const required: (keyof TemplateParts)[] =
    template.channelType === 'email' ? ['subject', 'text'] : ['body'];
  for (const variant of ['firing', 'resolved'] as const) {
    for (const name of required) {
      if (!template[variant][name]?.trim())
        throw new TemplateError(
          `${variant}.${name}`,
          `is required for ${template.channelType} templates`,
        );
    }
  }
  const checks: [TemplateVariant, object][] = [
    ['firing', alertContext(sampleAlert('firing'), publicUrl)],
    ['firing', alertContext(sparseSampleAlert(), publicUrl)],
    ['resolved', alertContext(sampleAlert('resolved'), publicUrl)],
    [
      'resolved',
      alertContext(
        { ...sparseSampleAlert(), state: 'resolved', resolvedAt: '2026-11-21T09:30:00.000Z' },
        publicUrl,
      ),
    ],
    ['summary', sampleSummaryContext(publicUrl)],
    ['summary', summaryContext('On-call email', 0, 60, [], publicUrl)],
  ];
  for (const [variant, context] of checks) {
    const message = renderVariant(template, variant, context);
    if (message.body !== null && isJsonContentType(message.contentType)) {
      try {
        JSON.parse(message.body);
      } catch (error) {
        throw new TemplateError(
          `${variant}.body`,
          `is not valid JSON once rendered with the sample alert (${(error as Error).message}); ` +
            'inside JSON strings write {{value}} (escaped for JSON), for whole values {{{json value}}}',
        );
      }
    }
  }
}
