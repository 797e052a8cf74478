import { apacheSslRequest } from './apache-ssl-request';

const context = { receivedAt: Date.UTC(2026, 0, 1) };

describe('apache-ssl-request', () => {
  it('reads time, client, TLS protocol and cipher, request and bytes', () => {
    const line =
      '[10/Aug/2018:09:45:56 +0200] 172.30.0.119 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 "GET /x.php?a=1 HTTP/1.1" 1375';
    expect(apacheSslRequest.parse(line, context)).toEqual({
      ts: Date.UTC(2018, 7, 10, 7, 45, 56),
      level: 6,
      message: line,
      host: null,
      statusCode: null,
      method: 'GET',
      path: '/x.php?a=1',
      latencyMs: null,
      fields: {
        'client.ip': '172.30.0.119',
        'tls.version_protocol': 'tls',
        'tls.version': '1.2',
        'tls.cipher': 'ECDHE-RSA-AES128-GCM-SHA256',
        'url.original': '/x.php?a=1',
        'http.version': '1.1',
        'http.response.body.bytes': 1375,
      },
      parseError: null,
    });
  });

  it('stores no bytes for `-` and reads SSLv3', () => {
    const parsed = apacheSslRequest.parse(
      '[16/Oct/2019:11:53:47 +0200] 81.2.69.143 SSLv3 RC4-SHA "GET / HTTP/1.0" -',
      context,
    );
    expect(parsed?.fields).toMatchObject({ 'tls.version_protocol': 'ssl', 'tls.version': '3' });
    expect(parsed?.fields).not.toHaveProperty('http.response.body.bytes');
  });

  it('declines other lines', () => {
    expect(
      apacheSslRequest.parse('[10/Aug/2018:09:45:56 +0200] 1.2.3.4 "GET / HTTP/1.1" 1', context),
    ).toBeUndefined();
    expect(apacheSslRequest.sniff('[Mon Dec 26 16:22:08 2016] [error] x')).toBe(false);
  });
});
