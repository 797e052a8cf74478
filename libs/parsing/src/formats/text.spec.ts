import { text } from './text';

describe('text format', () => {
  const context = { receivedAt: 42, host: 'h' };

  it('reads a leading timestamp and a level word', () => {
    expect(text.parse('2026-11-21T10:00:00+02:00 ERROR payment failed', context)).toEqual({
      ts: Date.UTC(2026, 10, 21, 8),
      level: 3,
      message: '2026-11-21T10:00:00+02:00 ERROR payment failed',
      host: 'h',
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: {},
      parseError: null,
    });
  });

  it('reads a zone-less leading time at the offset, else uses the received time', () => {
    expect(text.parse('2026-11-21 10:00:00 up', { ...context, utcOffsetMinutes: 60 }).ts).toBe(
      Date.UTC(2026, 10, 21, 9),
    );
    expect(text.parse('no time here', context)).toMatchObject({ ts: 42, level: 6 });
  });

  it('reads JSON-looking text as text', () => {
    expect(text.parse('{"level":"error"}', context).fields).toEqual({});
  });
});
