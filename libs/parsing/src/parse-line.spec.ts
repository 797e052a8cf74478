import { parseLine, toLatencyMs } from './parse-line';

const context = { receivedAt: Date.UTC(2026, 10, 21, 12, 0, 0), host: '10.0.0.9' };

describe('parseLine: JSON objects', () => {
  it('takes time, level, message and host from common keys and keeps the rest as fields', () => {
    const parsed = parseLine(
      JSON.stringify({
        '@timestamp': '2026-11-20T08:30:00.123456Z',
        level: 'WARN',
        msg: 'disk 91% full',
        host: 'db1',
        disk: { mount: '/var' },
      }),
      context,
    );
    expect(parsed.ts).toBeCloseTo(Date.UTC(2026, 10, 20, 8, 30, 0) + 123.456, 6);
    expect(parsed.level).toBe(4);
    expect(parsed.message).toBe('disk 91% full');
    expect(parsed.host).toBe('db1');
    expect(parsed.fields).toEqual({ 'disk.mount': '/var' });
    expect(parsed.parseError).toBeNull();
  });

  it('understands nested log.level, epoch seconds and pino numeric levels', () => {
    expect(parseLine('{"log":{"level":"error"},"message":"x"}', context).level).toBe(3);
    expect(parseLine('{"level":50,"time":1700000000,"msg":"boom"}', context)).toMatchObject({
      level: 3,
      ts: 1_700_000_000_000,
    });
    expect(parseLine('{"level":30,"time":1700000000123,"msg":"ok"}', context)).toMatchObject({
      level: 6,
      ts: 1_700_000_000_123,
    });
  });

  it('extracts HTTP columns and derives the level from the status', () => {
    const parsed = parseLine(
      '{"msg":"GET done","status":503,"method":"get","path":"/api/orders","duration_ms":"0.24s"}',
      context,
    );
    expect(parsed).toMatchObject({
      statusCode: 503,
      method: 'GET',
      path: '/api/orders',
      latencyMs: 240,
      level: 3,
    });
    expect(parseLine('{"msg":"nope","status":"404"}', context).level).toBe(4);
    expect(parseLine('{"msg":"ok","status":404,"level":"info"}', context).level).toBe(6);
  });

  it('falls back to the received time and host, and flags a timestamp it cannot read', () => {
    const parsed = parseLine('{"time":"yesterday-ish","message":"m"}', { receivedAt: 5 });
    expect(parsed.ts).toBe(5);
    expect(parsed.host).toBeNull();
    expect(parsed.parseError).toContain('unrecognised timestamp "yesterday-ish"');
    expect(parsed.fields.timestamp_unparsed).toBe('yesterday-ish');
  });

  it('keeps the whole JSON as message when there is no message key', () => {
    const raw = '{"user":"ann","action":"login"}';
    expect(parseLine(raw, context)).toMatchObject({
      message: raw,
      fields: { user: 'ann', action: 'login' },
    });
  });

  it('flags broken JSON and still keeps the text', () => {
    const parsed = parseLine('{"level":"error", "msg": "cut', context);
    expect(parsed.parseError).toMatch(/^invalid JSON/);
    expect(parsed.message).toBe('{"level":"error", "msg": "cut');
    expect(parsed.level).toBe(3);
  });
});

describe('parseLine: plain text', () => {
  it('detects level words and a leading ISO timestamp', () => {
    const parsed = parseLine('2026-11-21T10:00:00+02:00 ERROR payment failed for order 7', context);
    expect(parsed.ts).toBe(Date.UTC(2026, 10, 21, 8, 0, 0));
    expect(parsed.level).toBe(3);
    expect(parsed.message).toBe('2026-11-21T10:00:00+02:00 ERROR payment failed for order 7');
    expect(parsed.host).toBe('10.0.0.9');
  });

  it('reads logfmt-style level= and defaults to info', () => {
    expect(parseLine('ts=1 level=warn msg="slow"', context).level).toBe(4);
    expect(parseLine('user logged in', context)).toMatchObject({
      level: 6,
      ts: context.receivedAt,
      parseError: null,
    });
  });

  it('does not take words that merely contain a level', () => {
    expect(parseLine('wrote errors.log.1 informally', context).level).toBe(6);
  });
});

describe('toLatencyMs', () => {
  it.each([
    [12, 12],
    ['123ms', 123],
    ['0.24s', 240],
    ['1.5 s', 1500],
    ['250us', 0.25],
    ['abc', null],
    [-1, null],
  ])('%p → %p', (input, expected) => {
    expect(toLatencyMs(input)).toBe(expected);
  });
});

describe('parseLine: JSON wrapping a text line', () => {
  it('takes the time from the start of the message when the object has no time key', () => {
    const parsed = parseLine(
      '{"message":"2026-11-20T07:00:00Z ERROR x","log.file.path":"/var/log/a.log"}',
      context,
    );
    expect(parsed.ts).toBe(Date.UTC(2026, 10, 20, 7, 0, 0));
    expect(parsed.fields).toEqual({ 'log.file.path': '/var/log/a.log' });
  });
});

describe('parseLine: the source time zone', () => {
  it('reads zone-less JSON and text timestamps in the given zone, and keeps explicit zones', () => {
    const east2 = { receivedAt: 0, utcOffsetMinutes: 120 };
    expect(parseLine('{"time":"2026-11-21T10:00:00","msg":"x"}', east2).ts).toBe(
      Date.UTC(2026, 10, 21, 8, 0, 0),
    );
    expect(parseLine('2026-11-21T10:00:00 INFO y', east2).ts).toBe(Date.UTC(2026, 10, 21, 8, 0, 0));
    expect(parseLine('{"time":"2026-11-21T10:00:00Z","msg":"x"}', east2).ts).toBe(
      Date.UTC(2026, 10, 21, 10, 0, 0),
    );
  });
});
