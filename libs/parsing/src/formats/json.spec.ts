import { json } from './json';

const context = { receivedAt: Date.UTC(2026, 0, 1), host: 'h' };

describe('json format', () => {
  it('reads JSON lines through parseLine', () => {
    const parsed = json.parse(
      '  {"@timestamp":"2022-01-25T15:12:08.472Z","log.level":"WARN","message":"m","x":{"y":1}}',
      context,
    );
    expect(parsed).toMatchObject({
      ts: Date.UTC(2022, 0, 25, 15, 12, 8, 472),
      level: 4,
      message: 'm',
      fields: { 'x.y': 1 },
      parseError: null,
    });
  });

  it('maps MongoDB 4.4 structured logs', () => {
    const parsed = json.parse(
      '{"t":{"$date":"2021-03-22T21:21:20.349+00:00"},"s":"W",  "c":"STORAGE",  "id":4615611, "ctx":"initandlisten","msg":"MongoDB starting","attr":{"pid":1,"port":27017}}',
      context,
    );
    expect(parsed).toEqual({
      ts: Date.UTC(2021, 2, 22, 21, 21, 20, 349),
      level: 4,
      message: 'MongoDB starting',
      host: 'h',
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: {
        'mongodb.component': 'STORAGE',
        'mongodb.id': 4615611,
        'mongodb.context': 'initandlisten',
        'attr.pid': 1,
        'attr.port': 27017,
      },
      parseError: null,
    });
    const debug = json.parse('{"t":{"$date":"2021-03-22T21:21:20Z"},"s":"D3","msg":"x"}', context);
    expect(debug?.level).toBe(7);
  });

  it('maps log4j2 JSON layout (Logstash)', () => {
    const parsed = json.parse(
      '{"level":"INFO","loggerName":"logstash.agent","timeMillis":1546896321871,"thread":"t1","logEvent":{"message":"Pipelines running","count":1}}',
      context,
    );
    expect(parsed).toMatchObject({
      ts: 1546896321871,
      level: 6,
      message: 'Pipelines running',
      fields: { loggerName: 'logstash.agent', thread: 't1', 'logEvent.count': 1 },
    });
  });

  it('reads ECS HTTP fields and event.duration in nanoseconds', () => {
    const parsed = json.parse(
      '{"@timestamp":"2022-04-20T18:46:21.484+02:00","message":"done","http":{"request":{"method":"post"},"response":{"status_code":502}},"url":{"path":"/_search"},"event":{"duration":1500000}}',
      context,
    );
    expect(parsed).toMatchObject({
      ts: Date.UTC(2022, 3, 20, 16, 46, 21, 484),
      method: 'POST',
      statusCode: 502,
      path: '/_search',
      latencyMs: 1.5,
      level: 3,
    });
    expect(parsed?.fields).not.toHaveProperty('event.duration');
  });

  it('keeps the invalid-JSON error for a line cut short, and declines non-JSON', () => {
    const parsed = json.parse('{"level":"error","msg":"cut', context);
    expect(parsed?.parseError).toMatch(/^invalid JSON/);
    expect(parsed?.message).toBe('{"level":"error","msg":"cut');
    expect(json.parse('level=error msg=x', context)).toBeUndefined();
    expect(json.sniff(' \t{"a":1}')).toBe(true);
    expect(json.sniff('[1,2]')).toBe(false);
  });
});
