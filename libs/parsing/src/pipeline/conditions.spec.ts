import { compileCondition } from './conditions';
import { PipelineError } from './pipeline-error';
import { logOf } from './test-support';

const check = (condition: unknown) => compileCondition(condition, 'steps[0].when', {});

describe('conditions', () => {
  const log = logOf({
    level: 3,
    statusCode: 502,
    path: '/api/orders',
    latencyMs: 1200,
    fields: { tags: ['edge', 'eu'], 'user.id': '42', region: 'eu-west-1', beta: true },
  });

  it('equals compares across types, and reads levels on level', () => {
    expect(check({ field: 'status', equals: 502 })(log)).toBe(true);
    expect(check({ field: 'status', equals: '502' })(log)).toBe(true);
    expect(check({ field: 'fields.user.id', equals: 42 })(log)).toBe(true);
    expect(check({ field: 'beta', equals: true })(log)).toBe(true);
    expect(check({ field: 'level', equals: 'error' })(log)).toBe(true);
    expect(check({ field: 'level', equals: 'warn' })(log)).toBe(false);
  });

  it('in, matches (RE2 with grok) and exists', () => {
    expect(check({ field: 'level', in: ['crit', 'err'] })(log)).toBe(true);
    expect(check({ field: 'status', in: [500, 503] })(log)).toBe(false);
    expect(check({ field: 'path', matches: '^/api/' })(log)).toBe(true);
    expect(check({ field: 'region', matches: '^%{WORD}-west-%{INT}$' })(log)).toBe(true);
    expect(check({ field: 'host', exists: false })(log)).toBe(true);
    expect(check({ field: 'fields.region', exists: true })(log)).toBe(true);
    expect(check({ field: 'missing', matches: '.*' })(log)).toBe(false);
  });

  it('gte/lte on numbers and numeric text; a missing value is never in range', () => {
    expect(check({ field: 'latency_ms', gte: 1000 })(log)).toBe(true);
    expect(check({ field: 'status', gte: 500, lte: 599 })(log)).toBe(true);
    expect(check({ field: 'user.id', lte: 41 })(log)).toBe(false);
    expect(check({ field: 'method', gte: 0 })(log)).toBe(false);
  });

  it('any element of a list counts (tags)', () => {
    expect(check({ field: 'tags', equals: 'eu' })(log)).toBe(true);
    expect(check({ field: 'tags', in: ['us', 'edge'] })(log)).toBe(true);
    expect(check({ field: 'tags', matches: '^ap-' })(log)).toBe(false);
  });

  it('all, any and not combine', () => {
    const condition = {
      all: [
        {
          any: [
            { field: 'status', gte: 500 },
            { field: 'level', lte: 3 },
          ],
        },
        { not: { field: 'path', matches: '^/health' } },
      ],
    };
    expect(check(condition)(log)).toBe(true);
    expect(check(condition)({ ...log, path: '/healthz' })).toBe(false);
  });

  it('is checked when compiled, with the path to the problem', () => {
    const refusal = (condition: unknown) => {
      try {
        check(condition);
      } catch (error) {
        expect(error).toBeInstanceOf(PipelineError);
        return (error as Error).message;
      }
      return 'compiled';
    };
    expect(
      refusal({
        all: [
          { field: 'a', exists: true },
          { field: 'b', equal: 1 },
        ],
      }),
    ).toBe('steps[0].when.all[1]: use one of equals, in, matches, exists or gte/lte; found equal');
    expect(refusal({ field: 'a', equals: 1, exists: true })).toBe(
      'steps[0].when: use one of equals, in, matches, exists or gte/lte',
    );
    expect(refusal({ not: { field: 'level', in: ['error', 'loud'] } })).toBe(
      'steps[0].when.not.in[1]: "loud" is not a level',
    );
    expect(refusal({ any: [{ field: 'message', matches: '(a)\\1' }] })).toBe(
      'steps[0].when.any[0].matches: backreference "\\1" at position 3 is not supported ' +
        '(patterns run on RE2, which guarantees linear time)',
    );
    expect(refusal({ field: 'latency_ms', gte: '10' })).toBe('steps[0].when.gte: must be a number');
    expect(refusal({ field: '', exists: true })).toBe(
      'steps[0].when.field: a field name is required',
    );
    expect(refusal('status = 500')).toBe('steps[0].when: a condition must be an object');
  });
});
