import type { ChannelType, NotificationTemplate, TemplateParts } from '@app/contracts';

/** A template as the renderer uses it: stored or built in. */
export interface TemplateDefinition {
  id: string;
  name: string;
  channelType: ChannelType;
  contentType: string | null;
  timeZone: string;
  firing: TemplateParts;
  resolved: TemplateParts;
  summary: TemplateParts | null;
  /** Changes when the template does (compiled parts are cached by source). */
  version: string;
}

const FENCE = '```';

const EMAIL_FIRING_TEXT = `{{ruleName}} {{#if repeat}}is still firing{{else}}is firing{{/if}} (severity {{severity}}).

Why: {{reason}}
Value: {{value}}{{#if comparisonText}} (threshold {{comparisonText}}){{/if}}
Window: {{date windowStart}} to {{date windowEnd}}
{{#if groupText}}
Group: {{groupText}}
{{/if}}
Query: {{query}}
Started: {{date startedAt}}

{{#if sampleCount}}
{{pluralize sampleCount "sample line"}}:
{{#each samples}}
  {{date ts "yyyy-MM-dd HH:mm:ss.SSS"}} {{upper level}} {{source}}{{#if host}} {{host}}{{/if}}: {{truncate message 500}}
{{/each}}

{{/if}}
Open the alert: {{alertUrl}}
`;

const EMAIL_FIRING_HTML = `<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328;">
<h2 style="margin: 0 0 8px; color: #b42318;">[{{severityLabel}}] {{ruleName}} {{#if repeat}}is still firing{{else}}is firing{{/if}}</h2>
<p style="margin: 0 0 12px;"><strong>Why:</strong> {{reason}}</p>
<table cellpadding="4" style="border-collapse: collapse; font-size: 14px;">
<tr><td><strong>Value</strong></td><td>{{value}}{{#if comparisonText}} (threshold {{comparisonText}}){{/if}}</td></tr>
<tr><td><strong>Window</strong></td><td>{{date windowStart}} to {{date windowEnd}}</td></tr>
{{#if groupText}}
<tr><td><strong>Group</strong></td><td>{{groupText}}</td></tr>
{{/if}}
<tr><td><strong>Query</strong></td><td><code>{{query}}</code></td></tr>
<tr><td><strong>Started</strong></td><td>{{date startedAt}}</td></tr>
</table>
{{#if sampleCount}}
<h3 style="margin: 16px 0 4px;">{{pluralize sampleCount "sample line"}}</h3>
<pre style="background: #f6f8fa; padding: 8px; white-space: pre-wrap; font-size: 12px;">
{{#each samples}}
{{date ts "yyyy-MM-dd HH:mm:ss.SSS"}} {{upper level}} {{source}}{{#if host}} {{host}}{{/if}}: {{truncate message 500}}
{{/each}}
</pre>
{{/if}}
<p><a href="{{alertUrl}}">Open the alert in Lookout</a></p>
</body></html>
`;

const EMAIL_RESOLVED_TEXT = `{{ruleName}} is resolved{{#if groupText}} for {{groupText}}{{/if}}.

It fired at {{date startedAt}} and resolved at {{date resolvedAt}}{{#if durationText}} after {{durationText}}{{/if}}.
Last reason: {{reason}}
Query: {{query}}

Open the alert: {{alertUrl}}
`;

const EMAIL_RESOLVED_HTML = `<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328;">
<h2 style="margin: 0 0 8px; color: #1a7f37;">[RESOLVED] {{ruleName}}{{#if groupText}} ({{groupText}}){{/if}}</h2>
<p>It fired at {{date startedAt}} and resolved at {{date resolvedAt}}{{#if durationText}} after {{durationText}}{{/if}}.</p>
<p><strong>Last reason:</strong> {{reason}}<br><strong>Query:</strong> <code>{{query}}</code></p>
<p><a href="{{alertUrl}}">Open the alert in Lookout</a></p>
</body></html>
`;

const EMAIL_SUMMARY_TEXT = `The rate limit of channel "{{channelName}}" held back {{pluralize count "notification"}} between {{date windowStart}} and {{date windowEnd}}:

{{#each items}}
- [{{upper severity}}] {{ruleName}}{{#if groupText}} ({{groupText}}){{/if}} {{state}}: {{reason}}
{{/each}}

Delivery log: {{deliveriesUrl}}
`;

const EMAIL_SUMMARY_HTML = `<!doctype html>
<html><body style="font-family: -apple-system, Segoe UI, Helvetica, Arial, sans-serif; color: #1f2328;">
<p>The rate limit of channel <strong>{{channelName}}</strong> held back {{pluralize count "notification"}} between {{date windowStart}} and {{date windowEnd}}:</p>
<ul>
{{#each items}}
<li>[{{upper severity}}] <a href="{{alertUrl}}">{{ruleName}}</a>{{#if groupText}} ({{groupText}}){{/if}} {{state}}: {{reason}}</li>
{{/each}}
</ul>
<p><a href="{{deliveriesUrl}}">Delivery log</a></p>
</body></html>
`;

const JSON_ALERT_BODY = `{
  "version": 1,
  "event": "alert.{{state}}",
  "alert": {{{json alert}}},
  "url": "{{alertUrl}}"
}
`;

const JSON_SUMMARY_BODY = `{
  "version": 1,
  "event": "notifications.suppressed",
  "channel": "{{channelName}}",
  "count": {{count}},
  "windowStart": "{{windowStart}}",
  "windowEnd": "{{windowEnd}}",
  "items": {{{json items}}}
}
`;

// Slack: mrkdwn needs &, < and > escaped (slackEscape) or log text could write links and @channel.
const SLACK_FIRING_BODY = `{
  "text": ":rotating_light: [{{severityLabel}}] {{slackEscape ruleName}}{{#if groupText}} ({{slackEscape groupText}}){{/if}} {{#if repeat}}is still firing{{else}}is firing{{/if}}: {{slackEscape reason}}",
  "blocks": [
    { "type": "section", "text": { "type": "mrkdwn", "text": ":rotating_light: *[{{severityLabel}}] {{slackEscape ruleName}}* {{#if repeat}}is still firing{{else}}is firing{{/if}}\\n{{slackEscape reason}}" } },
    { "type": "section", "fields": [
      { "type": "mrkdwn", "text": "*Value*\\n{{value}}{{#if comparisonText}} ({{slackEscape comparisonText}}){{/if}}" },
      { "type": "mrkdwn", "text": "*Window*\\n{{date windowStart "HH:mm:ss"}} to {{date windowEnd "HH:mm:ss zzz"}}" }{{#if groupText}},
      { "type": "mrkdwn", "text": "*Group*\\n{{slackEscape groupText}}" }{{/if}}
    ] }{{#if sampleCount}},
    { "type": "section", "text": { "type": "mrkdwn", "text": "${FENCE}{{#each samples}}{{date ts "HH:mm:ss"}} {{slackEscape (truncate message 300)}}\\n{{/each}}${FENCE}" } }{{/if}},
    { "type": "context", "elements": [ { "type": "mrkdwn", "text": "<{{alertUrl}}|Open in Lookout>" } ] }
  ]
}
`;

const SLACK_RESOLVED_BODY = `{
  "text": ":white_check_mark: [RESOLVED] {{slackEscape ruleName}}{{#if groupText}} ({{slackEscape groupText}}){{/if}}{{#if durationText}} after {{durationText}}{{/if}}",
  "blocks": [
    { "type": "section", "text": { "type": "mrkdwn", "text": ":white_check_mark: *[RESOLVED] {{slackEscape ruleName}}*{{#if groupText}} ({{slackEscape groupText}}){{/if}}\\nFired {{date startedAt "yyyy-MM-dd HH:mm:ss"}}, resolved {{date resolvedAt "HH:mm:ss zzz"}}{{#if durationText}} ({{durationText}}){{/if}}" } },
    { "type": "context", "elements": [ { "type": "mrkdwn", "text": "<{{alertUrl}}|Open in Lookout>" } ] }
  ]
}
`;

const SLACK_SUMMARY_BODY = `{
  "text": ":mute: {{pluralize count "notification"}} held back on {{slackEscape channelName}} by its rate limit",
  "blocks": [
    { "type": "section", "text": { "type": "mrkdwn", "text": ":mute: *{{pluralize count "notification"}} held back* on {{slackEscape channelName}} between {{date windowStart "HH:mm:ss"}} and {{date windowEnd "HH:mm:ss zzz"}}:\\n{{#each items}}• [{{upper severity}}] {{slackEscape ruleName}}{{#if groupText}} ({{slackEscape groupText}}){{/if}} {{state}}: {{slackEscape (truncate reason 200)}}\\n{{/each}}" } },
    { "type": "context", "elements": [ { "type": "mrkdwn", "text": "<{{deliveriesUrl}}|Delivery log>" } ] }
  ]
}
`;

// Teams (Office 365 connector MessageCard): its text fields render a subset of HTML.
const TEAMS_FIRING_BODY = `{
  "@type": "MessageCard",
  "@context": "https://schema.org/extensions",
  "themeColor": "D93F0B",
  "summary": "[{{severityLabel}}] {{ruleName}} is firing",
  "title": "[{{severityLabel}}] {{htmlEscape ruleName}} {{#if repeat}}is still firing{{else}}is firing{{/if}}",
  "sections": [
    {
      "text": "{{htmlEscape reason}}",
      "facts": [
        { "name": "Value", "value": "{{value}}{{#if comparisonText}} (threshold {{htmlEscape comparisonText}}){{/if}}" },
        { "name": "Window", "value": "{{date windowStart}} to {{date windowEnd}}" },
        { "name": "Group", "value": "{{htmlEscape groupText}}" },
        { "name": "Query", "value": "{{htmlEscape query}}" }
      ]
    }{{#if sampleCount}},
    { "title": "{{pluralize sampleCount "sample line"}}", "text": "{{#each samples}}{{date ts "HH:mm:ss"}} {{htmlEscape (truncate message 300)}}<br>{{/each}}" }{{/if}}
  ],
  "potentialAction": [
    { "@type": "OpenUri", "name": "Open in Lookout", "targets": [ { "os": "default", "uri": "{{alertUrl}}" } ] }
  ]
}
`;

const TEAMS_RESOLVED_BODY = `{
  "@type": "MessageCard",
  "@context": "https://schema.org/extensions",
  "themeColor": "2EA043",
  "summary": "[RESOLVED] {{ruleName}}",
  "title": "[RESOLVED] {{htmlEscape ruleName}}{{#if groupText}} ({{htmlEscape groupText}}){{/if}}",
  "text": "Fired {{date startedAt}}, resolved {{date resolvedAt}}{{#if durationText}} after {{durationText}}{{/if}}.",
  "potentialAction": [
    { "@type": "OpenUri", "name": "Open in Lookout", "targets": [ { "os": "default", "uri": "{{alertUrl}}" } ] }
  ]
}
`;

const TEAMS_SUMMARY_BODY = `{
  "@type": "MessageCard",
  "@context": "https://schema.org/extensions",
  "themeColor": "808080",
  "summary": "{{pluralize count "notification"}} held back",
  "title": "{{pluralize count "notification"}} held back on {{htmlEscape channelName}}",
  "text": "Between {{date windowStart}} and {{date windowEnd}}:<br>{{#each items}}[{{upper severity}}] {{htmlEscape ruleName}}{{#if groupText}} ({{htmlEscape groupText}}){{/if}} {{state}}: {{htmlEscape (truncate reason 200)}}<br>{{/each}}",
  "potentialAction": [
    { "@type": "OpenUri", "name": "Delivery log", "targets": [ { "os": "default", "uri": "{{deliveriesUrl}}" } ] }
  ]
}
`;

const JSON_CONTENT_TYPE = 'application/json';

/** Read-only templates every installation has; a channel without a template uses its type's default. */
export const BUILTIN_TEMPLATES: readonly TemplateDefinition[] = [
  {
    id: 'builtin-email',
    name: 'Email (default)',
    channelType: 'email',
    contentType: null,
    timeZone: 'UTC',
    firing: {
      subject:
        '[{{severityLabel}}] {{ruleName}}{{#if groupText}} ({{groupText}}){{/if}} {{#if repeat}}is still firing{{else}}is firing{{/if}}',
      text: EMAIL_FIRING_TEXT,
      html: EMAIL_FIRING_HTML,
    },
    resolved: {
      subject: '[RESOLVED] {{ruleName}}{{#if groupText}} ({{groupText}}){{/if}}',
      text: EMAIL_RESOLVED_TEXT,
      html: EMAIL_RESOLVED_HTML,
    },
    summary: {
      subject: '[Lookout] {{pluralize count "notification"}} held back on {{channelName}}',
      text: EMAIL_SUMMARY_TEXT,
      html: EMAIL_SUMMARY_HTML,
    },
    version: 'builtin-1',
  },
  {
    id: 'builtin-json',
    name: 'Webhook JSON (default)',
    channelType: 'webhook',
    contentType: JSON_CONTENT_TYPE,
    timeZone: 'UTC',
    firing: { body: JSON_ALERT_BODY },
    resolved: { body: JSON_ALERT_BODY },
    summary: { body: JSON_SUMMARY_BODY },
    version: 'builtin-1',
  },
  {
    id: 'builtin-slack',
    name: 'Slack incoming webhook',
    channelType: 'webhook',
    contentType: JSON_CONTENT_TYPE,
    timeZone: 'UTC',
    firing: { body: SLACK_FIRING_BODY },
    resolved: { body: SLACK_RESOLVED_BODY },
    summary: { body: SLACK_SUMMARY_BODY },
    version: 'builtin-1',
  },
  {
    id: 'builtin-teams',
    name: 'Microsoft Teams incoming webhook',
    channelType: 'webhook',
    contentType: JSON_CONTENT_TYPE,
    timeZone: 'UTC',
    firing: { body: TEAMS_FIRING_BODY },
    resolved: { body: TEAMS_RESOLVED_BODY },
    summary: { body: TEAMS_SUMMARY_BODY },
    version: 'builtin-1',
  },
];

export const BUILTIN_TEMPLATE_PREFIX = 'builtin-';

/** The default template of each channel type. */
export const DEFAULT_TEMPLATE_ID: Record<ChannelType, string> = {
  email: 'builtin-email',
  webhook: 'builtin-json',
};

export function builtinTemplate(id: string): TemplateDefinition | undefined {
  return BUILTIN_TEMPLATES.find((template) => template.id === id);
}

export function toTemplateResponse(
  definition: TemplateDefinition,
  dates?: { createdAt: Date; updatedAt: Date },
): NotificationTemplate {
  return {
    id: definition.id,
    name: definition.name,
    channelType: definition.channelType,
    builtIn: definition.id.startsWith(BUILTIN_TEMPLATE_PREFIX),
    contentType: definition.contentType,
    timeZone: definition.timeZone,
    firing: definition.firing,
    resolved: definition.resolved,
    summary: definition.summary,
    createdAt: dates?.createdAt.toISOString() ?? null,
    updatedAt: dates?.updatedAt.toISOString() ?? null,
  };
}
