import { nginxError } from './nginx-error';

const context = { receivedAt: Date.UTC(2026, 0, 1), utcOffsetMinutes: 60 };

describe('nginx-error', () => {
  it('reads the header and the context nginx appends', () => {
    const message =
      'open() "/usr/share/nginx/html/favicon.ico" failed (2: No such file or directory), client: 127.0.0.1, server: localhost, request: "GET /favicon.ico HTTP/1.1", host: "localhost:8080", referrer: "http://localhost:8080/"';
    const parsed = nginxError.parse(`2016/10/25 14:49:34 [error] 54053#0: *1 ${message}`, context);
    expect(parsed).toEqual({
      ts: Date.UTC(2016, 9, 25, 13, 49, 34),
      level: 3,
      message,
      host: null,
      statusCode: null,
      method: 'GET',
      path: '/favicon.ico',
      latencyMs: null,
      fields: {
        'process.pid': 54053,
        'process.thread.id': 0,
        'nginx.connection': 1,
        'client.ip': '127.0.0.1',
        'nginx.server_name': 'localhost',
        'url.original': '/favicon.ico',
        'http.version': '1.1',
        'url.domain': 'localhost',
        'url.port': 8080,
        'http.request.referrer': 'http://localhost:8080/',
      },
      parseError: null,
    });
  });

  it('maps every nginx level', () => {
    const level = (word: string) =>
      nginxError.parse(`2016/10/25 14:49:34 [${word}] 1#1: x`, context)?.level;
    expect(
      ['emerg', 'alert', 'crit', 'error', 'warn', 'notice', 'info', 'debug'].map(level),
    ).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('reads events outside a connection and upstream context', () => {
    const parsed = nginxError.parse(
      '2024/05/01 10:00:00 [warn] 7#7: *9 upstream server temporarily disabled while connecting to upstream, client: 2a02:cf40::1, server: api, request: "POST /v1 HTTP/2.0", upstream: "http://10.0.0.5:8080/v1", host: "api.example.com"',
      context,
    );
    expect(parsed?.fields).toMatchObject({
      'client.ip': '2a02:cf40::1',
      'nginx.upstream.addr': 'http://10.0.0.5:8080/v1',
      'url.domain': 'api.example.com',
    });
    const startup = nginxError.parse(
      '2024/05/01 10:00:00 [notice] 1#1: start worker processes',
      context,
    );
    expect(startup).toMatchObject({ level: 5, message: 'start worker processes', method: null });
    expect(startup?.fields).toEqual({ 'process.pid': 1, 'process.thread.id': 1 });
  });

  it('accepts a message a multiline rule joined across lines', () => {
    const message = 'FastCGI sent in stderr: "PHP message: one\nPHP message: two"';
    expect(
      nginxError.parse(`2019/10/30 23:26:34 [error] 205860#205860: *180289 ${message}`, context)
        ?.message,
    ).toBe(message);
  });

  it('leaves a ", client:" that is message text alone', () => {
    const parsed = nginxError.parse(
      '2024/05/01 10:00:00 [error] 1#1: *2 odd text, client: says "hi" and more',
      context,
    );
    expect(parsed?.fields).not.toHaveProperty('client.ip');
    expect(parsed?.fields).not.toHaveProperty('client.address');
  });

  it('declines other lines', () => {
    expect(nginxError.parse('2016/10/25 14:49:34 error 1#0: x', context)).toBeUndefined();
    expect(nginxError.parse('2016/13/25 14:49:34 [error] 1#0: x', context)).toBeUndefined();
    expect(nginxError.sniff('2016-10-25 14:49:34 [error] x')).toBe(false);
  });
});
