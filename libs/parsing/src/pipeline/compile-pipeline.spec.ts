import { FORMAT_NAMES, detectFormat, parseWithFormat } from '../formats';
import { compilePipeline } from './compile-pipeline';
import { PipelineError } from './pipeline-error';
import type { FormatsApi, PipelineStep } from './pipeline.types';
import { keepsSample } from './sampling';
import { CONTEXT, FAKE_FORMATS, RECEIVED_AT } from './test-support';

const pipeline = (steps: PipelineStep[], formats: FormatsApi = FAKE_FORMATS) =>
  compilePipeline({ steps }, { formats, customPatterns: { SVC: '[a-z]+-svc' } });
const run = (steps: PipelineStep[], line: string, context = CONTEXT) =>
  pipeline(steps).run(line, context);

function refusal(steps: unknown[]): string {
  try {
    pipeline(steps as PipelineStep[]);
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineError);
    return (error as Error).message;
  }
  return 'compiled';
}

const RE2_NOTE = '(patterns run on RE2, which guarantees linear time)';

describe('compilePipeline: parse', () => {
  it('auto-detects the format first when there is no parse step', () => {
    const result = run([{ type: 'tag', tags: ['seen'] }], '{"msg":"hi","user":"bob"}');
    expect(result.matched).toBe('auto:json');
    expect(result.parsed).toMatchObject({
      message: 'hi',
      fields: { user: 'bob', tags: ['seen'] },
      parseError: null,
    });
    expect(result.steps).toEqual([{ index: 0, type: 'tag', outcome: 'applied' }]);
  });

  it('reads with a named format', () => {
    const result = run([{ type: 'parse', format: 'kv' }], 'level=error msg=boom user=7');
    expect(result.matched).toBe('format:kv');
    expect(result.parsed).toMatchObject({ level: 3, message: 'boom', fields: { user: '7' } });
    expect(result.steps).toEqual([
      { index: 0, type: 'parse', outcome: 'applied', detail: 'format:kv' },
    ]);
  });

  it('keeps a line the format declines, with parseError, or drops it when told', () => {
    const kept = run([{ type: 'parse', format: 'kv' }], 'plain words');
    expect(kept.matched).toBe('none');
    expect(kept.parsed).toMatchObject({
      message: 'plain words',
      host: 'collector',
      ts: RECEIVED_AT,
      parseError: 'steps[0]: line does not match format "kv"',
    });
    expect(kept.steps[0]).toMatchObject({ outcome: 'no-match' });

    const dropped = run(
      [
        { type: 'parse', format: 'kv', onFailure: 'drop' },
        { type: 'tag', tags: ['x'] },
      ],
      'plain words',
    );
    expect(dropped.parsed).toBeNull();
    expect(dropped.steps).toEqual([
      {
        index: 0,
        type: 'parse',
        outcome: 'dropped',
        detail: 'line does not match format "kv"',
      },
    ]);
  });

  it('fills columns from captures named like them, converting, and the rest into fields', () => {
    const result = run(
      [
        {
          type: 'parse',
          pattern:
            '^%{IPORHOST:client.ip} %{SVC:service} %{WORD:method} %{URIPATH:path} %{INT:status} %{NUMBER:latency_ms}ms$',
        },
      ],
      '10.0.0.7 cart-svc get /api/cart 503 12.5ms',
    );
    expect(result.matched).toBe('pattern:steps[0]');
    expect(result.parsed).toEqual({
      ts: RECEIVED_AT,
      level: 3, // from the 5xx status: the line names no level
      message: '10.0.0.7 cart-svc get /api/cart 503 12.5ms',
      host: 'collector',
      statusCode: 503,
      method: 'GET',
      path: '/api/cart',
      latencyMs: 12.5,
      fields: { 'client.ip': '10.0.0.7', service: 'cart-svc' },
      parseError: null,
    });
  });

  it('reads captured times in the source zone and captured levels', () => {
    const result = run(
      [
        {
          type: 'parse',
          pattern: '^%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level} %{GREEDYDATA:message}$',
        },
      ],
      '2026-11-21 09:00:00.250 WARN disk 91% full',
      { ...CONTEXT, utcOffsetMinutes: 60 },
    );
    expect(result.parsed).toMatchObject({
      ts: Date.UTC(2026, 10, 21, 8, 0, 0, 250),
      level: 4,
      message: 'disk 91% full',
    });
  });

  it('keeps a captured value a column cannot take, and flags an unreadable time', () => {
    const result = run(
      [
        {
          type: 'parse',
          pattern: '^%{NOTSPACE:timestamp} %{NOTSPACE:status} %{GREEDYDATA:message}$',
        },
      ],
      'yesterday OK job finished',
    );
    expect(result.parsed).toMatchObject({
      ts: RECEIVED_AT,
      statusCode: null,
      message: 'job finished',
      fields: { timestamp_unparsed: 'yesterday', status_unparsed: 'OK' },
      parseError: 'unrecognised timestamp "yesterday"',
    });
  });

  it('tries parse steps in turn: a later success on the same source clears the failure', () => {
    const result = run(
      [
        { type: 'parse', pattern: '^ERROR %{GREEDYDATA:message}$' },
        { type: 'parse', pattern: '^%{LOGLEVEL:level}: %{GREEDYDATA:message}$' },
      ],
      'warning: low memory',
    );
    expect(result.steps.map((step) => step.outcome)).toEqual(['no-match', 'applied']);
    expect(result.matched).toBe('pattern:steps[1]');
    expect(result.parsed).toMatchObject({ level: 4, message: 'low memory', parseError: null });
  });

  it('parses a field another step produced, keeping what the first parse found', () => {
    const result = run(
      [
        { type: 'parse', format: 'kv' },
        { type: 'parse', source: 'req', pattern: '^%{WORD:method}:%{URIPATHPARAM:path}$' },
        { type: 'rename', from: 'took', to: 'latency_ms' },
        { type: 'remove', fields: ['req'] },
      ],
      'level=error msg=slow req=post:/api/orders?id=3 took=0.2s',
    );
    expect(result.parsed).toMatchObject({
      level: 3,
      message: 'slow',
      method: 'POST',
      path: '/api/orders?id=3',
      latencyMs: 200,
      fields: {},
    });
    expect(result.steps.map((step) => step.outcome)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
    ]);
  });

  it('a parse of a missing source fails without stopping the line', () => {
    const result = run([{ type: 'parse', source: 'fields.body', format: 'kv' }], 'a=1');
    expect(result.steps[0]).toMatchObject({
      outcome: 'no-match',
      detail: 'fields.body holds no text',
    });
    expect(result.parsed?.parseError).toBe('steps[0]: fields.body holds no text');
  });
});

describe('compilePipeline: other steps', () => {
  const parseKv: PipelineStep = { type: 'parse', format: 'kv' };

  it('set, with and without a condition, converting for columns', () => {
    const steps: PipelineStep[] = [
      parseKv,
      { type: 'set', field: 'level', value: 'critical', when: { field: 'code', equals: 'E42' } },
      { type: 'set', field: 'fields.team', value: 'payments' },
    ];
    expect(run(steps, 'msg=x code=E42').parsed).toMatchObject({
      level: 2,
      fields: { team: 'payments' },
    });
    const other = run(steps, 'msg=x code=E1');
    expect(other.parsed?.level).toBe(6);
    expect(other.steps[1]).toEqual({
      index: 1,
      type: 'set',
      outcome: 'skipped',
      detail: 'condition not met',
    });
  });

  it('rename into a column converts, and reports a value the column cannot hold', () => {
    const steps: PipelineStep[] = [parseKv, { type: 'rename', from: 'code', to: 'status' }];
    expect(run(steps, 'msg=x code=404').parsed).toMatchObject({ statusCode: 404, fields: {} });
    const bad = run(steps, 'msg=x code=E42');
    expect(bad.steps[1]).toMatchObject({
      outcome: 'error',
      detail: '"E42" is not a valid statusCode',
    });
    expect(bad.errors).toEqual(['steps[1]: "E42" is not a valid statusCode']);
    expect(bad.parsed?.fields).toEqual({ code: 'E42' });
    expect(run(steps, 'msg=x').steps[1]).toMatchObject({ outcome: 'skipped' });
  });

  it('tag adds to fields.tags without repeats, turning a text tag into a list', () => {
    const steps: PipelineStep[] = [
      parseKv,
      { type: 'tag', tags: ['slow', 'api'], when: { field: 'ms', gte: 1000 } },
    ];
    expect(run(steps, 'msg=x ms=1500 tags=api').parsed?.fields.tags).toEqual(['api', 'slow']);
    expect(run(steps, 'msg=x ms=10').parsed?.fields.tags).toBeUndefined();
  });

  it('drop stops the line and the steps after it', () => {
    const result = run(
      [
        parseKv,
        { type: 'drop', when: { field: 'fields.path', matches: '^/health' } },
        { type: 'tag', tags: ['kept'] },
      ],
      'msg=probe path=/healthz',
    );
    expect(result.parsed).toBeNull();
    expect(result.steps.map((step) => step.outcome)).toEqual(['applied', 'dropped']);
  });

  it('sample keeps one line in N by a hash of the raw line, the same way every time', () => {
    const steps: PipelineStep[] = [{ type: 'sample', keepOneIn: 4 }];
    const lines = Array.from({ length: 40 }, (_, i) => `{"msg":"request ${i}"}`);
    const kept = lines.filter((line) => run(steps, line).parsed !== null);
    expect(kept).toEqual(lines.filter((line) => keepsSample(line, 4, 0)));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(40);
    const dropped = run(
      steps,
      lines.find((line) => !kept.includes(line))!,
    );
    expect(dropped.steps[0]).toMatchObject({
      outcome: 'dropped',
      detail: 'sampled out (1 in 4 kept)',
    });
  });

  it('redact cleans the log and the raw line to be stored', () => {
    const line = '{"msg":"paid with 4111 1111 1111 1111 by ann@example.com"}';
    const result = run([{ type: 'redact' }], line);
    expect(result.parsed?.message).toBe('paid with [REDACTED-CARD-1111] by [REDACTED]');
    expect(result.raw).toBe('{"msg":"paid with [REDACTED-CARD-1111] by [REDACTED]"}');
    expect(result.steps[0]).toMatchObject({ outcome: 'applied', detail: '2 replaced' });
    expect(run([{ type: 'redact' }], '{"msg":"nothing"}').raw).toBe('{"msg":"nothing"}');
  });

  it('a step that throws is reported and the line goes on', () => {
    const throwing: FormatsApi = {
      ...FAKE_FORMATS,
      parseWithFormat: () => {
        throw new Error('boom');
      },
    };
    const result = pipeline([parseKv, { type: 'tag', tags: ['after'] }], throwing).run(
      'msg=x',
      CONTEXT,
    );
    expect(result.errors).toEqual(['steps[0]: boom']);
    expect(result.steps.map((step) => step.outcome)).toEqual(['error', 'applied']);
    expect(result.parsed).toMatchObject({ message: 'msg=x', fields: { tags: ['after'] } });
  });
});

describe('compilePipeline: refusals name the step and the problem', () => {
  it.each([
    [
      [
        { type: 'tag', tags: ['a'] },
        { type: 'set', field: 'x', value: 1 },
        { type: 'parse', pattern: '(a)(b)c\\1' },
      ],
      `steps[2].pattern: backreference "\\1" at position 7 is not supported ${RE2_NOTE}`,
    ],
    [
      [{ type: 'parse', pattern: '%{NOPE}' }],
      'steps[0].pattern: unknown pattern "%{NOPE}" at position 0',
    ],
    [[{ type: 'parse', format: 'xml' }], 'steps[0].format: unknown format "xml" (known: kv, json)'],
    [
      [{ type: 'parse', format: 'kv', pattern: 'x' }],
      'steps[0]: give a format or a pattern, not both',
    ],
    [[{ type: 'parse', onFailure: 'ignore' }], 'steps[0].onFailure: must be "keep" or "drop"'],
    [
      [{ type: 'parse', onfailure: 'drop' }],
      'steps[0]: unknown key "onfailure" for a parse step (allowed: format, pattern, source, onFailure)',
    ],
    [
      [{ type: 'grep' }],
      'steps[0].type: unknown step type "grep" (use parse, set, rename, remove, tag, drop, redact, sample)',
    ],
    [
      [{ type: 'set', field: 'level', value: 'loud' }],
      'steps[0].value: "loud" is not a valid level',
    ],
    [
      [{ type: 'set', field: 'x', value: null }],
      'steps[0].value: must be a string, number or boolean',
    ],
    [
      [{ type: 'rename', from: 'message', to: 'fields.text' }],
      'steps[0].from: "message" is required and cannot be removed',
    ],
    [[{ type: 'rename', from: 'a', to: 'fields.a' }], 'steps[0].to: is the same field as from'],
    [
      [{ type: 'remove', fields: ['host', 'ts'] }],
      'steps[0].fields[1]: "ts" is required and cannot be removed',
    ],
    [[{ type: 'remove', fields: [] }], 'steps[0].fields: must be a non-empty list'],
    [[{ type: 'tag', tags: [''] }], 'steps[0].tags[0]: a tag must be non-empty text'],
    [[{ type: 'drop' }], 'steps[0].when: is required (a drop without it would drop every line)'],
    [
      [{ type: 'drop', when: { field: 'status', gte: 'x' } }],
      'steps[0].when.gte: must be a number',
    ],
    [
      [{ type: 'sample', keepOneIn: 0 }],
      'steps[0].keepOneIn: must be a whole number of at least 1',
    ],
    [
      [{ type: 'redact', patterns: ['(?<=x)y'] }],
      `steps[0].patterns[0]: lookbehind "(?<=" at position 0 is not supported ${RE2_NOTE}`,
    ],
    [['parse'], 'steps[0]: a step must be an object'],
  ])('%j', (steps, message) => {
    expect(refusal(steps)).toBe(message);
  });

  it('refuses a definition without a list of steps', () => {
    expect(() => compilePipeline({} as never, { formats: FAKE_FORMATS })).toThrow(
      new PipelineError('steps', 'must be a list'),
    );
  });
});

describe('compilePipeline with the built-in formats', () => {
  const formats: FormatsApi = { formatNames: FORMAT_NAMES, parseWithFormat, detectFormat };

  it('reads an nginx line with the format and tags server errors', () => {
    const compiled = compilePipeline(
      {
        steps: [
          { type: 'parse', format: 'nginx-access' },
          { type: 'tag', tags: ['server-error'], when: { field: 'status', gte: 500 } },
        ],
      },
      { formats },
    );
    const result = compiled.run(
      '203.0.113.9 - - [21/Nov/2026:10:00:00 +0000] "GET /api/cart HTTP/1.1" 502 157 "-" "curl/8.5.0"',
      CONTEXT,
    );
    expect(result.matched).toBe('format:nginx-access');
    expect(result.parsed).toMatchObject({
      ts: Date.UTC(2026, 10, 21, 10),
      statusCode: 502,
      method: 'GET',
      path: '/api/cart',
      parseError: null,
    });
    expect(result.parsed?.fields.tags).toEqual(['server-error']);
  });

  it('auto-detects JSON, then parses its message with a pattern', () => {
    const compiled = compilePipeline(
      {
        steps: [
          { type: 'parse' },
          { type: 'parse', pattern: '^user %{USERNAME:user.name} logged in from %{IP:client.ip}$' },
        ],
      },
      { formats },
    );
    const result = compiled.run(
      '{"time":"2026-11-21T10:00:00Z","level":"info","msg":"user ann logged in from 10.1.2.3"}',
      CONTEXT,
    );
    expect(result.matched).toBe('auto:json');
    expect(result.parsed).toMatchObject({
      ts: Date.UTC(2026, 10, 21, 10),
      level: 6,
      message: 'user ann logged in from 10.1.2.3',
      fields: { 'user.name': 'ann', 'client.ip': '10.1.2.3' },
      parseError: null,
    });
  });
});
