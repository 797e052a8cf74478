import { captureTarget, getField, removeField, resolveField, setField } from './field-access';
import { PipelineError } from './pipeline-error';
import { CONTEXT, logOf } from './test-support';

describe('field addressing', () => {
  it('maps column names to columns and everything else to fields', () => {
    expect(resolveField('status', 'p')).toEqual({ column: 'statusCode' });
    expect(resolveField('latency_ms', 'p')).toEqual({ column: 'latencyMs' });
    expect(resolveField('ts', 'p')).toEqual({ column: 'ts' });
    expect(resolveField('fields.http.user_agent', 'p')).toEqual({ key: 'http.user_agent' });
    expect(resolveField('fields.status', 'p')).toEqual({ key: 'status' });
    expect(resolveField('user.id', 'p')).toEqual({ key: 'user.id' });
    expect(resolveField('tags', 'p')).toEqual({ key: 'tags' });
    expect(() => resolveField('', 'steps[0].field')).toThrow(
      new PipelineError('steps[0].field', 'a field name is required'),
    );
  });

  it('sends captures named like columns, or like a time, to the columns', () => {
    expect(captureTarget('timestamp')).toEqual({ column: 'ts' });
    expect(captureTarget('@timestamp')).toEqual({ column: 'ts' });
    expect(captureTarget('client.ip')).toEqual({ key: 'client.ip' });
  });

  it('converts values for columns and refuses what a column cannot hold', () => {
    const log = logOf();
    expect(setField(log, { column: 'level' }, 'WARNING', CONTEXT)).toBeUndefined();
    expect(setField(log, { column: 'statusCode' }, '503', CONTEXT)).toBeUndefined();
    expect(setField(log, { column: 'latencyMs' }, '0.25s', CONTEXT)).toBeUndefined();
    expect(setField(log, { column: 'method' }, 'get', CONTEXT)).toBeUndefined();
    expect(setField(log, { column: 'ts' }, '2026-11-21T10:00:00+01:00', CONTEXT)).toBeUndefined();
    expect(log).toMatchObject({
      level: 4,
      statusCode: 503,
      latencyMs: 250,
      method: 'GET',
      ts: Date.UTC(2026, 10, 21, 9),
    });
    expect(setField(log, { column: 'level' }, 'loud', CONTEXT)).toBe('"loud" is not a valid level');
    expect(setField(log, { column: 'statusCode' }, 42, CONTEXT)).toBe(
      '42 is not a valid statusCode',
    );
    expect(log.level).toBe(4);
  });

  it('reads time in the many shapes captures come in, zone-less ones in the given zone', () => {
    const read = (value: unknown, utcOffsetMinutes?: number) => {
      const log = logOf();
      setField(log, { column: 'ts' }, value, { ...CONTEXT, utcOffsetMinutes });
      return log.ts;
    };
    expect(read('10/Oct/2025:13:55:36 -0700')).toBe(Date.UTC(2025, 9, 10, 20, 55, 36));
    expect(read('2026-11-21 10:00:00', 120)).toBe(Date.UTC(2026, 10, 21, 8));
    expect(read('2026-11-21T10:00:00Z', 120)).toBe(Date.UTC(2026, 10, 21, 10));
    expect(read('Nov 21 09:30:00', 60)).toBe(Date.UTC(2026, 10, 21, 8, 30));
    expect(read('1763726400')).toBe(1763726400_000);
  });

  it('removes fields and empties nullable columns', () => {
    const log = logOf({ host: 'web-1', fields: { a: 1 } });
    expect(removeField(log, { column: 'host' })).toBe(true);
    expect(removeField(log, { key: 'a' })).toBe(true);
    expect(removeField(log, { key: 'a' })).toBe(false);
    expect(log).toMatchObject({ host: null, fields: {} });
    expect(getField(log, { column: 'message' })).toBe('hello');
  });
});
