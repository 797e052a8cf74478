import { apacheVhost } from './apache-vhost';

const context = { receivedAt: Date.UTC(2026, 0, 1) };

describe('apache-vhost', () => {
  it('reads %v:%p before the client', () => {
    const parsed = apacheVhost.parse(
      'www.example.com:443 203.0.113.7 - - [26/Dec/2016:16:22:14 +0000] "GET /hello HTTP/1.1" 404 499 "-" "curl/8.0"',
      context,
    );
    expect(parsed).toMatchObject({ statusCode: 404, level: 4, path: '/hello' });
    expect(parsed?.fields).toMatchObject({
      'url.domain': 'www.example.com',
      'url.port': 443,
      'client.ip': '203.0.113.7',
      'user_agent.original': 'curl/8.0',
    });
  });

  it('reads a vhost without port', () => {
    const parsed = apacheVhost.parse(
      'vhost1.domaine.fr 192.168.33.2 - - [26/Dec/2016:16:22:14 +0000] "GET /hello HTTP/1.1" 404 499',
      context,
    );
    expect(parsed?.fields).toMatchObject({ 'url.domain': 'vhost1.domaine.fr' });
    expect(parsed?.fields).not.toHaveProperty('url.port');
  });

  it('declines lines without exactly a vhost and a client', () => {
    expect(
      apacheVhost.parse('1.2.3.4 - - [26/Dec/2016:16:22:14 +0000] "GET / HTTP/1.1" 200 1', context),
    ).toBeUndefined();
    expect(
      apacheVhost.parse('a b c - - [26/Dec/2016:16:22:14 +0000] "GET / HTTP/1.1" 200 1', context),
    ).toBeUndefined();
  });
});
