import { BUILTIN_TEMPLATES, builtinTemplate, type TemplateDefinition } from './builtin-templates';
import {
  checkTemplate,
  renderAlertMessage,
  renderSummaryMessage,
  sampleSummaryContext,
} from './message-renderer';
import { HOSTILE_SAMPLE_MESSAGE, sampleAlert, sparseSampleAlert } from './template-context';
import { formatDate, renderPart, TemplateError } from './template-engine';

const URL = 'https://lookout.example.com';

function emailTemplate(parts: Partial<TemplateDefinition>): TemplateDefinition {
  return {
    id: 'custom',
    name: 'custom',
    channelType: 'email',
    contentType: null,
    timeZone: 'UTC',
    firing: { subject: '{{ruleName}}', text: '{{reason}}' },
    resolved: { subject: '{{ruleName}} ok', text: '{{reason}}' },
    summary: null,
    version: '1',
    ...parts,
  };
}

function webhookTemplate(body: string, contentType = 'application/json'): TemplateDefinition {
  return {
    id: 'hook',
    name: 'hook',
    channelType: 'webhook',
    contentType,
    timeZone: 'UTC',
    firing: { body },
    resolved: { body },
    summary: null,
    version: '1',
  };
}

function checkError(template: TemplateDefinition): string {
  try {
    checkTemplate(template, URL);
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateError);
    return (error as Error).message;
  }
  throw new Error('the template passed the check');
}

describe('built-in templates', () => {
  it.each(BUILTIN_TEMPLATES.map((template) => [template.id, template]))(
    '%s passes the strict save-time check',
    (_id, template) => {
      expect(() => checkTemplate(template, URL)).not.toThrow();
    },
  );

  it('email says why it fired, with value, threshold, window, group and sample lines', () => {
    const message = renderAlertMessage(builtinTemplate('builtin-email')!, sampleAlert(), URL);
    expect(message.subject).toBe('[HIGH] Checkout errors (host=web-1) is firing');
    expect(message.text).toContain(
      'Why: 27 lines matching level:error AND path:/checkout* in 1m > 10 (host=web-1)',
    );
    expect(message.text).toContain('Value: 27 (threshold > 10)');
    expect(message.text).toContain('Window: 2026-11-21 09:13:00 UTC to 2026-11-21 09:14:00 UTC');
    expect(message.text).toContain('Group: host=web-1');
    expect(message.text).toContain('2 sample lines:');
    expect(message.text).toContain(
      '2026-11-21 09:13:59.004 ERROR checkout: POST /checkout/confirm',
    );
    // Plain text is not HTML-escaped; the HTML part is.
    expect(message.text).toContain('<script>alert("x")</script>');
    expect(message.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(message.html).not.toContain('<script>');
    expect(message.text).toContain(`${URL}/#/alerts/history/00000000-0000-4000-8000-000000000001`);
  });

  it('email says when it resolved and how long it lasted', () => {
    const message = renderAlertMessage(
      builtinTemplate('builtin-email')!,
      sampleAlert('resolved'),
      URL,
    );
    expect(message.subject).toBe('[RESOLVED] Checkout errors (host=web-1)');
    expect(message.text).toContain(
      'It fired at 2026-11-21 09:14:00 UTC and resolved at 2026-11-21 09:26:05 UTC after 12m 5s.',
    );
  });

  it('keeps new lines of a hostile rule name out of the subject', () => {
    const alert = { ...sampleAlert(), ruleName: 'evil\r\nBcc: victim@example.com' };
    const message = renderAlertMessage(builtinTemplate('builtin-email')!, alert, URL);
    expect(message.subject).toBe('[HIGH] evil Bcc: victim@example.com (host=web-1) is firing');
  });

  it('renders sparse alerts (no group, no samples, no threshold, repeat)', () => {
    const message = renderAlertMessage(builtinTemplate('builtin-email')!, sparseSampleAlert(), URL);
    expect(message.subject).toBe('[HIGH] Checkout errors is still firing');
    expect(message.text).not.toContain('Group:');
    expect(message.text).not.toContain('sample line');
  });

  it.each(['builtin-json', 'builtin-slack', 'builtin-teams'])(
    '%s renders valid JSON that keeps the hostile line intact',
    (id) => {
      const message = renderAlertMessage(builtinTemplate(id)!, sampleAlert(), URL);
      const parsed = JSON.parse(message.body!) as unknown;
      expect(message.contentType).toBe('application/json');
      const text = JSON.stringify(parsed);
      if (id === 'builtin-json') {
        expect(
          (parsed as { alert: { samples: { message: string }[] } }).alert.samples[0].message,
        ).toBe(HOSTILE_SAMPLE_MESSAGE);
      } else {
        // Slack mentions and HTML are escaped for the receiver.
        expect(text).not.toContain('<!channel>');
        expect(text).not.toContain('<script>');
      }
    },
  );

  it('Slack summary lists what was held back', () => {
    const message = renderSummaryMessage(
      builtinTemplate('builtin-slack')!,
      sampleSummaryContext(URL),
    );
    const parsed = JSON.parse(message.body!) as {
      text: string;
      blocks: { text?: { text: string } }[];
    };
    expect(parsed.text).toContain('2 notifications held back on On-call email');
    expect(parsed.blocks[0].text!.text).toContain('[HIGH] Checkout errors (host=web-1) firing');
  });
});

describe('strict checking at save time', () => {
  it('names a misspelled variable', () => {
    expect(checkError(emailTemplate({ firing: { subject: 'x', text: 'Why: {{reson}}' } }))).toBe(
      'firing.text: unknown variable or helper "reson" (line 1, column 8)',
    );
  });

  it('names a misspelled variable inside a block or helper argument', () => {
    expect(
      checkError(emailTemplate({ firing: { subject: '{{#if repat}}again{{/if}}', text: 'x' } })),
    ).toBe('firing.subject: unknown variable "repat" (line 1, column 7)');
    expect(
      checkError(
        emailTemplate({
          firing: { subject: 'x', text: '{{#each samples}}{{truncate mesage 10}}{{/each}}' },
        }),
      ),
    ).toBe('firing.text: unknown variable "mesage" (line 1, column 29)');
  });

  it('names a misspelled variable in a loop', () => {
    expect(
      checkError(
        emailTemplate({ firing: { subject: 'x', text: '{{#each samples}}{{mesage}}{{/each}}' } }),
      ),
    ).toContain('unknown variable or helper "mesage"');
  });

  it('reports unknown helpers, syntax errors, bad time zones and missing parts', () => {
    expect(
      checkError(emailTemplate({ firing: { subject: '{{shout ruleName}}', text: 'x' } })),
    ).toContain('firing.subject: unknown helper "shout"');
    expect(checkError(emailTemplate({ firing: { subject: '{{ruleName', text: 'x' } }))).toContain(
      'firing.subject: Parse error on line 1',
    );
    expect(checkError(emailTemplate({ timeZone: 'Mars/Olympus' }))).toBe(
      'timeZone: unknown time zone "Mars/Olympus"',
    );
    expect(
      checkError(
        emailTemplate({ firing: { subject: 'x', text: '{{date startedAt "HH:mm" "Mars/Base"}}' } }),
      ),
    ).toBe('firing.text: unknown time zone "Mars/Base"');
    expect(checkError(emailTemplate({ resolved: { subject: 'x' } }))).toBe(
      'resolved.text: is required for email templates',
    );
  });

  it('refuses a JSON body that hostile log text would break', () => {
    expect(checkError(webhookTemplate('{"text": "{{{reason}}} {{{samples.0.message}}}"}'))).toMatch(
      /^firing\.body: is not valid JSON once rendered with the sample alert/,
    );
    expect(() =>
      checkTemplate(
        webhookTemplate('{"text": "{{#each samples}}{{message}} {{/each}}", "n": {{value}} }'),
        URL,
      ),
    ).not.toThrow();
  });

  it('refuses a template that breaks on an alert without samples', () => {
    expect(checkError(webhookTemplate('{"first": "{{samples.0.message}}"}'))).toBe(
      'firing.body: "message" is read from an empty value (an alert may have no samples or no group)',
    );
  });

  it('leaves non-JSON bodies unescaped', () => {
    expect(() =>
      checkTemplate(webhookTemplate('alert={{reason}}', 'text/plain'), URL),
    ).not.toThrow();
  });
});

describe('helpers', () => {
  const render = (source: string, context: object = {}, timeZone = 'UTC') =>
    renderPart('t', source, 'none', context, { timeZone });

  it('date formats in the template time zone, or one given', () => {
    const at = { at: '2026-07-01T12:34:56.789Z' };
    expect(render('{{date at}}', at)).toBe('2026-07-01 12:34:56 UTC');
    expect(render('{{date at}}', at, 'Europe/Berlin')).toBe('2026-07-01 14:34:56 GMT+2');
    expect(render('{{date at "yyyy-MM-dd\'T\'HH:mm:ss.SSSZ" "America/New_York"}}', at)).toBe(
      '2026-07-01T08:34:56.789-04:00',
    );
    expect(render('{{date at format="EEE d MMM HH:mm" tz="Asia/Kolkata"}}', at)).toBe(
      'Wed 1 Jul 18:04',
    );
    expect(render('[{{date nothing}}]', { nothing: null })).toBe('[]');
    expect(formatDate(Date.UTC(2026, 0, 1), 'yyyy-MM-dd HH:mm Z', 'Europe/Berlin')).toBe(
      '2026-01-01 01:00 +01:00',
    );
  });

  it('truncate, json, pluralize, upper', () => {
    expect(render('{{truncate text 5}}', { text: 'abcdefgh' })).toBe('abcd…');
    expect(render('{{truncate text 5 "..."}}', { text: 'abcdefgh' })).toBe('ab...');
    expect(render('{{truncate text 10}}', { text: 'short' })).toBe('short');
    expect(render('{{{json value}}}', { value: { a: [1, '<'] } })).toBe('{"a":[1,"<"]}');
    expect(render('{{pluralize n "line"}}, {{pluralize one "line"}}', { n: 3, one: 1 })).toBe(
      '3 lines, 1 line',
    );
    expect(render('{{pluralize n "entry" "entries"}}', { n: 0 })).toBe('0 entries');
    expect(render('{{upper s}}', { s: 'high' })).toBe('HIGH');
  });

  it('escapes HTML by default in HTML mode, and JSON string content in JSON mode', () => {
    const context = { m: '<b>"x"</b>\\\n' };
    expect(renderPart('t', '{{m}}', 'html', context, { timeZone: 'UTC' })).toBe(
      '&lt;b&gt;&quot;x&quot;&lt;/b&gt;\\\n',
    );
    expect(renderPart('t', '"{{m}}"', 'json', context, { timeZone: 'UTC' })).toBe(
      '"<b>\\"x\\"</b>\\\\\\n"',
    );
    expect(renderPart('t', '"{{truncate m 4}}"', 'json', context, { timeZone: 'UTC' })).toBe(
      '"<b>…"',
    );
  });
});
