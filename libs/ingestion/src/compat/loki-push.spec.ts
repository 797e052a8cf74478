import { decodeLokiPush, LokiPayloadError, nanosecondsToMilliseconds } from './loki-push';

const origin = { ip: '10.1.2.3', receivedAt: 1_000 };

describe('Loki push body', () => {
  it('turns each value into a line with event time, labels and structured metadata', () => {
    const lines = decodeLokiPush(
      {
        streams: [
          {
            stream: { job: 'api server', hostname: 'web-1', env: 'prod' },
            values: [
              ['1763719200123456000', 'first'],
              ['1763719200000000001', 'second', { trace_id: 'abc', env: 'canary' }],
              ['1763719200000000002', '   '],
            ],
          },
          { stream: { service_name: 'checkout' }, values: [['0', 'epoch']] },
          { values: [['5000000', 'no labels']] },
        ],
      },
      origin,
    );
    expect(lines).toEqual([
      {
        raw: 'first',
        receivedAt: 1_000,
        source: 'api_server',
        host: 'web-1',
        eventTime: 1763719200123.456,
        attributes: { job: 'api server', hostname: 'web-1', env: 'prod' },
      },
      expect.objectContaining({
        raw: 'second',
        eventTime: expect.closeTo(1763719200000, 3), // + 1 ns, below a double's resolution
        attributes: { job: 'api server', hostname: 'web-1', env: 'canary', trace_id: 'abc' },
      }),
      expect.objectContaining({ raw: 'epoch', source: 'checkout', host: '10.1.2.3', eventTime: 0 }),
      expect.objectContaining({ raw: 'no labels', source: 'loki', eventTime: 5, attributes: {} }),
    ]);
  });

  it('lets ?source= win over the labels', () => {
    const [line] = decodeLokiPush(
      { streams: [{ stream: { job: 'x' }, values: [['1', 'l']] }] },
      { ...origin, source: 'chosen' },
    );
    expect(line.source).toBe('chosen');
  });

  it('converts nanoseconds to milliseconds, keeping microseconds as the fraction', () => {
    expect(nanosecondsToMilliseconds('1763719200123456789')).toBeCloseTo(1763719200123.4568, 3);
    expect(Math.floor(nanosecondsToMilliseconds('1763719200123999000'))).toBe(1763719200123);
    expect(nanosecondsToMilliseconds('99999999999999999999'.slice(0, 19))).toBeGreaterThan(0);
  });

  it.each([
    [null, 'a JSON object with a "streams" array'],
    [{ streams: {} }, 'a JSON object with a "streams" array'],
    [{ streams: [7] }, 'streams[0] must be an object'],
    [{ streams: [{ stream: { a: 1 }, values: [] }] }, 'streams[0].stream.a must be a string'],
    [{ streams: [{ values: 'x' }] }, 'streams[0].values must be an array'],
    [{ streams: [{ values: [['1']] }] }, 'streams[0].values[0] must be'],
    [
      { streams: [{ values: [] }, { values: [[1, 'x']] }] },
      'streams[1].values[0][0] must be the time',
    ],
    [{ streams: [{ values: [['1.5', 'x']] }] }, 'streams[0].values[0][0]'],
    [{ streams: [{ values: [['1', 2]] }] }, 'streams[0].values[0][1] must be a string'],
    [
      { streams: [{ values: [['1', 'x', { n: 1 }]] }] },
      'streams[0].values[0][2].n must be a string',
    ],
  ])('refuses %j', (body, message) => {
    expect(() => decodeLokiPush(body, origin)).toThrow(LokiPayloadError);
    expect(() => decodeLokiPush(body, origin)).toThrow(message);
  });
});
