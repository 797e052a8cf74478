import { apacheError } from './apache-error';

const context = { receivedAt: Date.UTC(2026, 0, 1), utcOffsetMinutes: -120 };

describe('apache-error', () => {
  it('reads an Apache 2.2 line', () => {
    expect(
      apacheError.parse(
        '[Mon Dec 26 16:22:08 2016] [error] [client 192.168.33.1] File does not exist: /var/www/favicon.ico',
        context,
      ),
    ).toEqual({
      ts: Date.UTC(2016, 11, 26, 18, 22, 8),
      level: 3,
      message: 'File does not exist: /var/www/favicon.ico',
      host: null,
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: { 'log.level': 'error', 'client.ip': '192.168.33.1' },
      parseError: null,
    });
  });

  it('reads an Apache 2.4 line: module, pid and tid, client port, AH code, microseconds', () => {
    const parsed = apacheError.parse(
      '[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:56211] AH00128: File does not exist: /x, referer: http://example.com/',
      context,
    );
    expect(parsed?.ts).toBeCloseTo(Date.UTC(2000, 9, 11, 16, 32, 52) + 123.456, 6);
    expect(parsed?.level).toBe(3);
    expect(parsed?.message).toBe('AH00128: File does not exist: /x, referer: http://example.com/');
    expect(parsed?.fields).toEqual({
      'log.level': 'error',
      'apache.error.module': 'core',
      'process.pid': 35708,
      'process.thread.id': 4328636416,
      'client.ip': '72.15.99.187',
      'client.port': 56211,
      'error.code': 'AH00128',
      'http.request.referrer': 'http://example.com/',
    });
  });

  it('reads module sublevels, lines without client, and trace levels as debug', () => {
    const notice = apacheError.parse(
      '[Mon Dec 26 16:15:55.103786 2016] [mpm_event:notice] [pid 11379:tid 140] AH00489: Apache/2.4.23 configured',
      context,
    );
    expect(notice).toMatchObject({ level: 5 });
    expect(notice?.fields).toMatchObject({
      'apache.error.module': 'mpm_event',
      'error.code': 'AH00489',
    });
    const trace = apacheError.parse(
      "[Wed Oct 20 19:20:59.121211 2021] [rewrite:trace3] [pid 121591:tid 140413273032448] mod_rewrite.c(470): [client 10.1.1.8:38350] applying pattern '^/x' to uri '/'",
      context,
    );
    expect(trace).toMatchObject({ level: 7 });
    expect(trace?.fields).toMatchObject({
      'log.level': 'trace3',
      'process.thread.id': 140413273032448,
    });
    // The client after a source location is message text, as Filebeat reads it.
    expect(trace?.fields).not.toHaveProperty('client.ip');
  });

  it('keeps thread ids that a number would round as text', () => {
    const parsed = apacheError.parse(
      '[Mon Dec 26 16:15:55 2016] [core:warn] [pid 1:tid 18446744073709551615] x',
      context,
    );
    expect(parsed?.fields['process.thread.id']).toBe('18446744073709551615');
  });

  it('declines other lines', () => {
    expect(apacheError.parse('[Mon Dec 26 16:15:55 2016] [nonsense] x', context)).toBeUndefined();
    expect(apacheError.parse('[26/Dec/2016:16:15:55 +0000] [error] x', context)).toBeUndefined();
  });
});
