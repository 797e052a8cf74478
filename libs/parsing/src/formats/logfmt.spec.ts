import { logfmt } from './logfmt';

const context = { receivedAt: Date.UTC(2026, 0, 1), host: 'h', utcOffsetMinutes: 60 };

describe('logfmt', () => {
  it('reads columns from well-known keys and the rest as fields', () => {
    const line =
      'ts=2024-01-01T00:00:00Z level=warn msg="slow query" duration=1.2s user=alice rows=42 ratio=0.5 cached';
    expect(logfmt.parse(line, context)).toEqual({
      ts: Date.UTC(2024, 0, 1),
      level: 4,
      message: 'slow query',
      host: 'h',
      statusCode: null,
      method: null,
      path: null,
      latencyMs: 1200,
      fields: { user: 'alice', rows: 42, ratio: 0.5, cached: true },
      parseError: null,
    });
  });

  it('reads HTTP columns, escaped quotes and Go durations', () => {
    const parsed = logfmt.parse(
      'time=2024-01-01T10:00:00 lvl=info method=get path=/api/x status=503 took=1m2s host=api-1 err="bad \\"gateway\\"\\nretry" id=007',
      context,
    );
    expect(parsed).toMatchObject({
      ts: Date.UTC(2024, 0, 1, 9),
      level: 6,
      method: 'GET',
      path: '/api/x',
      statusCode: 503,
      latencyMs: 62_000,
      host: 'api-1',
    });
    // No msg key: the whole line is the message.
    expect(parsed?.message).toMatch(/^time=2024-01-01T10:00:00 lvl=info /);
    expect(parsed?.fields).toEqual({ err: 'bad "gateway"\nretry', id: '007' });
  });

  it('takes the level from the status, then the message, when none is given', () => {
    expect(logfmt.parse('msg=done status=404', context)?.level).toBe(4);
    expect(logfmt.parse('msg="fatal: disk gone" code=9', context)?.level).toBe(2);
    expect(logfmt.parse('a=1 b=2', context)).toMatchObject({ level: 6, message: 'a=1 b=2' });
  });

  it('reads epoch timestamps and flags ones it cannot read', () => {
    expect(logfmt.parse('ts=1700000000.5 msg=x', context)?.ts).toBe(1_700_000_000_500);
    const parsed = logfmt.parse('ts=yesterday msg=x', context);
    expect(parsed).toMatchObject({
      ts: context.receivedAt,
      parseError: 'unrecognised timestamp "yesterday"',
    });
    expect(parsed?.fields.ts).toBe('yesterday');
  });

  it('keeps numbers that would lose digits as text', () => {
    expect(logfmt.parse('id=123456789012345678901 n=-3 e=1e3', context)?.fields).toEqual({
      id: '123456789012345678901',
      n: -3,
      e: 1000,
    });
  });

  it.each([
    'just some words',
    'one pair=1 but many more bare words here',
    'key="unterminated',
    '=value',
    'a=1 "quoted"',
  ])('declines %p', (line) => {
    expect(logfmt.parse(line, context)).toBeUndefined();
  });

  it('sniffs a key at the start', () => {
    expect(logfmt.sniff('level=info msg=x')).toBe(true);
    expect(logfmt.sniff('2024-01-01T00:00:00Z level=info')).toBe(false);
    expect(logfmt.sniff('=x')).toBe(false);
  });
});
