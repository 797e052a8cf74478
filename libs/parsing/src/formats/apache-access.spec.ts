import { apacheCombined, apacheCommon } from './apache-access';

const context = { receivedAt: Date.UTC(2026, 0, 1) };
const COMMON = '::1 - frank [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209';
const COMBINED =
  '192.168.33.1 - - [26/Dec/2016:16:22:13 +0000] "GET /hello HTTP/1.1" 200 499 "-" "Mozilla/5.0 (Macintosh) Firefox/50.0"';

describe('apache-common', () => {
  it('reads the Common Log Format', () => {
    expect(apacheCommon.parse(COMMON, context)).toEqual({
      ts: Date.UTC(2016, 11, 26, 14, 16, 29),
      level: 4,
      message: COMMON,
      host: null,
      statusCode: 404,
      method: 'GET',
      path: '/favicon.ico',
      latencyMs: null,
      fields: {
        'client.ip': '::1',
        'user.name': 'frank',
        'url.original': '/favicon.ico',
        'http.version': '1.1',
        'http.response.body.bytes': 209,
      },
      parseError: null,
    });
  });

  it('stores no bytes for `-` and no request for a request line of `-`', () => {
    const parsed = apacheCommon.parse('::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -', context);
    expect(parsed).toMatchObject({ statusCode: 408, method: null, path: null });
    expect(parsed?.fields).toEqual({ 'client.ip': '::1' });
  });

  it('declines Combined lines and vhost prefixes', () => {
    expect(apacheCommon.parse(COMBINED, context)).toBeUndefined();
    expect(apacheCommon.parse(`vhost ${COMMON}`, context)).toBeUndefined();
  });
});

describe('apache-combined', () => {
  it('reads referrer and user agent, `-` meaning none', () => {
    const parsed = apacheCombined.parse(COMBINED, context);
    expect(parsed).toMatchObject({ statusCode: 200, level: 6, path: '/hello' });
    expect(parsed?.fields).toEqual({
      'client.ip': '192.168.33.1',
      'url.original': '/hello',
      'http.version': '1.1',
      'http.response.body.bytes': 499,
      'user_agent.original': 'Mozilla/5.0 (Macintosh) Firefox/50.0',
    });
  });

  it('reads Common lines, host names as client.address, and ignores what is appended', () => {
    expect(apacheCombined.parse(COMMON, context)?.statusCode).toBe(404);
    const parsed = apacheCombined.parse(
      'monitoring-server - - [29/May/2017:19:02:48 +0000] "GET /status HTTP/1.1" 200 612 "-" "curl" "-" 1234',
      context,
    );
    expect(parsed?.fields['client.address']).toBe('monitoring-server');
    expect(parsed?.latencyMs).toBeNull();
  });

  it('reads a non-default ident and escaped quotes in the request', () => {
    const parsed = apacheCombined.parse(
      '1.2.3.4 identd bob [26/Dec/2016:16:22:13 +0000] "GET /q=\\"x\\" HTTP/1.1" 200 1 "-" "-"',
      context,
    );
    expect(parsed?.path).toBe('/q=\\"x\\"');
    expect(parsed?.fields['user.name']).toBe('bob');
  });
});
