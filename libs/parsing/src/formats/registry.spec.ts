import {
  BUILT_IN_FORMATS,
  FORMAT_NAMES,
  detectFormat,
  findFormat,
  parseWithFormat,
} from './registry';

const context = { receivedAt: Date.UTC(2026, 4, 20), host: 'h' };

describe('format registry', () => {
  it('lists every built-in format once, text last', () => {
    expect([...FORMAT_NAMES].sort()).toEqual(
      [
        'apache-combined',
        'apache-common',
        'apache-error',
        'apache-ssl-request',
        'apache-vhost',
        'json',
        'logfmt',
        'nginx-access',
        'nginx-error',
        'syslog',
        'text',
      ].sort(),
    );
    expect(new Set(FORMAT_NAMES).size).toBe(FORMAT_NAMES.length);
    expect(FORMAT_NAMES[FORMAT_NAMES.length - 1]).toBe('text');
    for (const format of BUILT_IN_FORMATS) {
      expect(findFormat(format.name)).toBe(format);
      expect(format.description).not.toBe('');
    }
    expect(findFormat('nope')).toBeUndefined();
  });

  it.each([
    ['{"msg":"hi","level":"info"}', 'json'],
    ['<13>1 2026-05-01T10:00:00Z host app - - - hi', 'syslog'],
    ['May  1 10:00:00 web1 sshd[7]: Accepted key', 'syslog'],
    ['[Mon Dec 26 16:22:08 2016] [error] [client 1.2.3.4] File does not exist: /x', 'apache-error'],
    ['[10/Aug/2018:09:45:56 +0200] 1.2.3.4 TLSv1.2 AES "GET / HTTP/1.1" 1', 'apache-ssl-request'],
    ['2016/10/25 14:49:34 [error] 54053#0: *1 open() failed', 'nginx-error'],
    ['::1 - - [26/Dec/2016:16:16:29 +0200] "GET /favicon.ico HTTP/1.1" 404 209', 'apache-common'],
    [
      '1.2.3.4 - - [26/Dec/2016:16:16:29 +0200] "GET / HTTP/1.1" 200 2 "-" "curl" 0.1',
      'nginx-access',
    ],
    ['ts=2024-01-01T00:00:00Z level=warn msg="slow"', 'logfmt'],
    ['2026-05-01 10:00:00 WARN low disk', 'text'],
    ['', 'text'],
  ])('detects %p as %s', (line, name) => {
    const detected = detectFormat(line, context);
    expect(detected.format).toBe(name);
    expect(detected.parsed).toEqual(parseWithFormat(name, line, context));
  });

  it('falls back to text for a line whose sniff passes but whose parser declines it', () => {
    const line = '[not a date] something';
    expect(detectFormat(line, context)).toEqual({
      format: 'text',
      parsed: parseWithFormat('text', line, context),
    });
  });

  it('never drops a line that does not match the configured format', () => {
    const parsed = parseWithFormat('nginx-access', '2026-05-01T10:00:00Z ERROR boom', context);
    expect(parsed).toMatchObject({
      ts: Date.UTC(2026, 4, 1, 10),
      level: 3,
      message: '2026-05-01T10:00:00Z ERROR boom',
      parseError: 'line does not match format "nginx-access"',
    });
    expect(parseWithFormat('no-such-format', 'x', context).parseError).toBe(
      'unknown format "no-such-format"',
    );
  });

  it('never throws, whatever the line', () => {
    const hostile = [
      '\u0000'.repeat(10),
      '{'.repeat(10_000),
      '<999999>',
      '[' + ']'.repeat(1000),
      '"'.repeat(1000),
      'a='.repeat(1000),
      '\ud800',
    ];
    for (const line of hostile) {
      expect(() => detectFormat(line, context)).not.toThrow();
      for (const name of FORMAT_NAMES) {
        expect(() => parseWithFormat(name, line, context)).not.toThrow();
      }
    }
  });
});
