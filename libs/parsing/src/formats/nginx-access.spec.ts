import { nginxAccess } from './nginx-access';

const context = { receivedAt: Date.UTC(2026, 0, 1), host: 'web1' };
const UA = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0';

describe('nginx-access', () => {
  it('reads a combined line into columns and fields', () => {
    const line = `81.2.69.143 - alice [07/Dec/2016:11:05:07 +0100] "GET /ocelot?x=1 HTTP/1.1" 200 571 "https://example.com/" "${UA}"`;
    expect(nginxAccess.parse(line, context)).toEqual({
      ts: Date.UTC(2016, 11, 7, 10, 5, 7),
      level: 6,
      message: line,
      host: 'web1',
      statusCode: 200,
      method: 'GET',
      path: '/ocelot?x=1',
      latencyMs: null,
      fields: {
        'client.ip': '81.2.69.143',
        'user.name': 'alice',
        'url.original': '/ocelot?x=1',
        'http.version': '1.1',
        'http.response.body.bytes': 571,
        'http.request.referrer': 'https://example.com/',
        'user_agent.original': UA,
      },
      parseError: null,
    });
  });

  it('derives the level from the status', () => {
    const at = (status: number) =>
      nginxAccess.parse(
        `1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" ${status} 1 "-" "-"`,
        context,
      )?.level;
    expect([at(200), at(304), at(404), at(499), at(500), at(503)]).toEqual([6, 6, 4, 4, 3, 3]);
  });

  it('reads a leading $host or $host:$server_port', () => {
    const parsed = nginxAccess.parse(
      'example.com:8080 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"',
      context,
    );
    expect(parsed?.fields).toMatchObject({
      'url.domain': 'example.com',
      'url.port': 8080,
      'client.ip': '81.2.69.143',
    });
  });

  it('picks the client out of an X-Forwarded-For list and keeps the list', () => {
    const parsed = nginxAccess.parse(
      '10.0.0.2, 10.0.0.1, 81.2.69.143 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"',
      context,
    );
    expect(parsed?.fields['client.ip']).toBe('81.2.69.143');
    expect(parsed?.fields['client.ips']).toEqual(['10.0.0.2', '10.0.0.1', '81.2.69.143']);
    // Only internal addresses: the first one.
    const internal = nginxAccess.parse(
      'example.com "10.0.0.2, 10.0.0.1" 127.0.0.1 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5 "-" "-"',
      context,
    );
    expect(internal?.fields).toMatchObject({
      'url.domain': 'example.com',
      'client.ip': '10.0.0.2',
      'client.ips': ['10.0.0.2', '10.0.0.1', '127.0.0.1'],
    });
  });

  it('puts a remote address that is not an IP in client.address', () => {
    const parsed = nginxAccess.parse(
      'unix: - - [26/Feb/2019:15:39:42 +0100] "hello" 400 173 "-" "-"',
      context,
    );
    expect(parsed).toMatchObject({ method: null, path: null, statusCode: 400, level: 4 });
    expect(parsed?.fields).toEqual({ 'client.address': 'unix:', 'http.response.body.bytes': 173 });
  });

  it('reads $request_time and $upstream_response_time appended bare', () => {
    const parsed = nginxAccess.parse(
      `1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "POST /api HTTP/1.1" 201 5 "-" "${UA}" "203.0.113.9" 0.123 0.100, 0.020`,
      context,
    );
    expect(parsed?.latencyMs).toBe(123);
    expect(parsed?.fields).toMatchObject({
      'nginx.http_x_forwarded_for': '203.0.113.9',
      'nginx.upstream.response_time_ms': 120,
    });
  });

  it('reads key=value times, quoted or not, and keeps other pairs', () => {
    const parsed = nginxAccess.parse(
      `1.2.3.4 - - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/2.0" 200 5 "-" "${UA}" rt=0.250 uct="0.001" uht="0.010" urt="0.240" cache=HIT gzip_ratio=2.5`,
      context,
    );
    expect(parsed?.latencyMs).toBe(250);
    expect(parsed?.fields).toMatchObject({
      'http.version': '2.0',
      'nginx.upstream.connect_time_ms': 1,
      'nginx.upstream.header_time_ms': 10,
      'nginx.upstream.response_time_ms': 240,
      'nginx.cache': 'HIT',
      'nginx.gzip_ratio': 2.5,
    });
  });

  it('reads the ingress-nginx format with several upstream tries', () => {
    const parsed = nginxAccess.parse(
      '192.168.64.14 - - [07/Feb/2020:12:02:42 +0000] "GET /v2/some HTTP/1.1" 200 61 "-" "curl/7.54.0" 348 0.001 [default-web2-8080] [] 172.17.0.6:8080, 172.17.0.7:8080 61, 100 0.100, 0.004 200, 203 835136ae24486dbb4156dcbe21f5d402',
      context,
    );
    expect(parsed?.latencyMs).toBe(1);
    expect(parsed?.fields).toMatchObject({
      'http.request.bytes': 348,
      'nginx.upstream.name': 'default-web2-8080',
      'nginx.upstream.addr': '172.17.0.6:8080, 172.17.0.7:8080',
      'nginx.upstream.ip': '172.17.0.7',
      'nginx.upstream.port': 8080,
      'nginx.upstream.response_length': 100,
      'nginx.upstream.response_time_ms': 104,
      'nginx.upstream.status': 203,
      'http.request.id': '835136ae24486dbb4156dcbe21f5d402',
    });
    expect(parsed?.fields).not.toHaveProperty('nginx.upstream.alternative_name');
  });

  it('reads an ingress line whose request never reached an upstream', () => {
    const parsed = nginxAccess.parse(
      '192.168.64.1 - - [07/Feb/2020:11:49:50 +0000] "PATCHp /products/42 HTTP/1.1" 400 163 "-" "-" 0 0.000 [] [] - - - - 4c7d2079340e68353c7d0dfff00b904b',
      context,
    );
    expect(parsed).toMatchObject({ method: 'PATCHp', latencyMs: 0, statusCode: 400 });
    expect(Object.keys(parsed?.fields ?? {}).filter((key) => key.startsWith('nginx.'))).toEqual([]);
    expect(parsed?.fields['http.request.id']).toBe('4c7d2079340e68353c7d0dfff00b904b');
  });

  it('reads an ingress line without request time', () => {
    const parsed = nginxAccess.parse(
      '1.2.3.4 - - [07/Feb/2020:11:49:50 +0000] "GET / HTTP/1.1" 499 0 "-" "-" 10 - [web] [] 10.0.0.5:80 0 0.005 - abc',
      context,
    );
    expect(parsed?.latencyMs).toBeNull();
    expect(parsed?.fields).toMatchObject({
      'nginx.upstream.name': 'web',
      'nginx.upstream.response_time_ms': 5,
      'http.request.id': 'abc',
    });
    expect(parsed?.fields).not.toHaveProperty('nginx.http_x_forwarded_for');
  });

  it('declines lines of other formats', () => {
    for (const line of [
      'plain text',
      '{"msg":"json"}',
      '1.2.3.4 ident - [07/Dec/2016:11:05:07 +0100] "GET / HTTP/1.1" 200 5',
      '1.2.3.4 - - [not a date] "GET / HTTP/1.1" 200 5 "-" "-"',
    ]) {
      expect(nginxAccess.parse(line, context)).toBeUndefined();
    }
  });
});
