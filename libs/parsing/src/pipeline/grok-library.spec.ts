import { GROK_PATTERNS } from './grok-library';
import { compilePattern } from './pattern-engine';

/** The whole text must be the pattern: `^(?:%{NAME})$`. */
const whole = (name: string) => compilePattern(`^(?:%{${name}:value})$`);
const accepts = (name: string, text: string) => whole(name).match(text)?.value;

describe('GROK_PATTERNS', () => {
  it.each(Object.keys(GROK_PATTERNS))('%s compiles in RE2', (name) => {
    expect(() => compilePattern(`%{${name}}`)).not.toThrow();
  });

  it.each([
    ['IPV4', ['0.0.0.0', '10.1.2.3', '255.255.255.255', '192.168.0.19']],
    [
      'IPV6',
      [
        '::1',
        '::',
        '2001:db8::1',
        '2001:db8:0:0:1:0:0:1',
        '1:2:3::4:5',
        'fe80::1%eth0',
        '::ffff:10.0.0.1',
        '64:ff9b::192.0.2.33',
        '2001:db8::',
      ],
    ],
    ['IPORHOST', ['10.0.0.1', 'example.com', 'web-01', 'a.b.c.example.org']],
    ['EMAILADDRESS', ['jane.doe+logs@mail.example.co.uk']],
    ['UUID', ['123e4567-e89b-12d3-a456-426614174000']],
    ['MAC', ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E', '001a.2b3c.4d5e']],
    ['URI', ['https://user:pw@example.com:8443/a/b.html?x=1&y=%20#top', 'ftp://10.0.0.1/file']],
    ['PATH', ['/var/log/nginx/access.log', 'C:\\Windows\\System32']],
    ['TIMESTAMP_ISO8601', ['2024-05-01T10:00:00.123Z', '2024-05-01 10:00:00,5+02:00']],
    ['HTTPDATE', ['10/Oct/2000:13:55:36 -0700']],
    ['SYSLOGTIMESTAMP', ['Aug  6 17:26:31', 'Dec 24 08:00:00']],
    ['DATE_US', ['12/31/2024']],
    ['DATE_EU', ['31.12.2024']],
    ['LOGLEVEL', ['ERROR', 'warning', 'Info', 'FATAL', 'debug']],
    ['QUOTEDSTRING', ['"say \\"hi\\""', "'single'", '``']],
    ['NUMBER', ['-1.5', '42', '.5']],
  ] as const)('%s accepts real values', (name, values) => {
    for (const value of values) expect([value, accepts(name, value)]).toEqual([value, value]);
  });

  it.each([
    ['IPV4', ['256.1.1.1', '1.2.3', '1.2.3.4.5']],
    ['IPV6', ['1:2', 'std::string']],
    ['POSINT', ['0', '-1']],
    ['LOGLEVEL', ['informal']],
  ] as const)('%s refuses lookalikes', (name, values) => {
    for (const value of values) expect([value, accepts(name, value)]).toEqual([value, undefined]);
  });

  it('does not cut an IPv4 address short inside longer text', () => {
    expect(compilePattern('%{IPV4:ip}').match('from 10.0.0.123:8080')).toEqual({
      ip: '10.0.0.123',
    });
  });

  it('COMBINEDAPACHELOG captures into column names', () => {
    const line =
      '203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1 HTTP/1.0" 200 2326 ' +
      '"http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    expect(compilePattern('^%{COMBINEDAPACHELOG}$').match(line)).toEqual({
      'client.ip': '203.0.113.9',
      ident: '-',
      'user.name': 'frank',
      timestamp: '10/Oct/2000:13:55:36 -0700',
      method: 'GET',
      path: '/apache_pb.gif?a=1',
      'http.version': '1.0',
      status: 200,
      bytes: 2326,
      referrer: 'http://www.example.com/start.html',
      user_agent: 'Mozilla/4.08 [en] (Win98; I ;Nav)',
    });
  });

  it('COMMONAPACHELOG keeps a request line that is not METHOD path HTTP/x', () => {
    const line = '2001:db8::7 - - [01/Jan/2024:00:00:01 +0000] "\\x16\\x03\\x01" 400 -';
    expect(compilePattern('^%{COMMONAPACHELOG}$').match(line)).toMatchObject({
      'client.ip': '2001:db8::7',
      request: '\\x16\\x03\\x01',
      status: 400,
    });
  });

  it('NGINXACCESS reads the default combined format and the optional forwarded-for', () => {
    const line =
      '10.0.0.5 - - [21/Nov/2026:09:15:02 +0100] "POST /api/v1/login HTTP/2.0" 401 61 "-" ' +
      '"curl/8.5.0" "198.51.100.7, 10.0.0.1"';
    expect(compilePattern('^%{NGINXACCESS}$').match(line)).toEqual({
      'client.ip': '10.0.0.5',
      'user.name': '-',
      timestamp: '21/Nov/2026:09:15:02 +0100',
      method: 'POST',
      path: '/api/v1/login',
      'http.version': '2.0',
      status: 401,
      bytes: 61,
      referrer: '-',
      user_agent: 'curl/8.5.0',
      forwarded_for: '198.51.100.7, 10.0.0.1',
    });
  });

  it('SYSLOGLINE reads a BSD syslog file line', () => {
    const line = 'Aug  6 17:26:31 web-01 sshd[4242]: Accepted publickey for deploy from 10.0.0.9';
    expect(compilePattern('^%{SYSLOGLINE}$').match(line)).toEqual({
      timestamp: 'Aug  6 17:26:31',
      host: 'web-01',
      program: 'sshd',
      pid: 4242,
      message: 'Accepted publickey for deploy from 10.0.0.9',
    });
  });
});
