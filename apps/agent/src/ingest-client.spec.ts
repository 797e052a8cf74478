import { backoffMs } from './backoff';
import { encodeEvents, parseRetryAfter } from './ingest-client';

describe('encodeEvents', () => {
  it('sends single-line events as text/plain', () => {
    expect(
      encodeEvents([
        { text: 'a', path: 'p' },
        { text: 'b', path: 'p' },
      ]),
    ).toEqual({
      body: 'a\nb\n',
      contentType: 'text/plain',
    });
  });

  it('switches to NDJSON when an event spans lines, keeping JSON lines as they are', () => {
    const { body, contentType } = encodeEvents([
      { text: 'boom\n  at x', path: '/var/log/a.log' },
      { text: '{"msg":"json"}', path: '/var/log/a.log' },
      { text: '{not json', path: '/var/log/a.log' },
    ]);
    expect(contentType).toBe('application/x-ndjson');
    expect(body.split('\n')).toEqual([
      '{"message":"boom\\n  at x","log.file.path":"/var/log/a.log"}',
      '{"msg":"json"}',
      '{"message":"{not json","log.file.path":"/var/log/a.log"}',
      '',
    ]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds or an HTTP date, and caps the wait', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('99999')).toBe(600_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('backoffMs', () => {
  it('grows exponentially up to maxMs, with full jitter', () => {
    const retry = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, retry, () => 1))).toEqual([
      100, 200, 400, 800, 1000,
    ]);
    expect(backoffMs(5, retry, () => 0)).toBe(0);
    expect(backoffMs(1, retry, () => 0.5)).toBe(100);
  });
});
