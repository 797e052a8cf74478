import { passesLuhn } from './luhn';
import type { PipelineStep } from './pipeline.types';
import { compileRedactor } from './redaction';
import { logOf } from './test-support';

type RedactStep = Extract<PipelineStep, { type: 'redact' }>;

const redactor = (step: Omit<RedactStep, 'type'> = {}, custom?: Record<string, string>) =>
  compileRedactor({ type: 'redact', ...step }, 'steps[0]', custom);
const redact = (text: string, step?: Omit<RedactStep, 'type'>) =>
  redactor(step).redactText(text).text;

describe('redaction detectors', () => {
  it('e-mail addresses', () => {
    expect(redact('password reset sent to jane.doe+shop@mail.example.co.uk (try 1)')).toBe(
      'password reset sent to [REDACTED] (try 1)',
    );
  });

  it('card numbers that pass Luhn, keeping the last four; order ids that fail it stay', () => {
    expect(passesLuhn('4111111111111111')).toBe(true);
    expect(passesLuhn('4111111111111112')).toBe(false);
    expect(redact('charge ok card=4111111111111111 amount=20.00')).toBe(
      'charge ok card=[REDACTED-CARD-1111] amount=20.00',
    );
    expect(redact('visa 4242-4242-4242-4242, mc 5555 5555 5555 4444.')).toBe(
      'visa [REDACTED-CARD-4242], mc [REDACTED-CARD-4444].',
    );
    expect(redact('order 4111111111111112 shipped')).toBe('order 4111111111111112 shipped');
  });

  it('a card followed by more digits (an expiry) is still found', () => {
    expect(redact('card 4111 1111 1111 1111 12/29')).toBe('card [REDACTED-CARD-1111] 12/29');
  });

  it('leaves epoch milliseconds, nanoseconds and ids glued to letters alone', () => {
    const text = 'ts=1763726400123 ns=1763726400123456789 id=ORD4111111111111111';
    expect(passesLuhn('1763726400123')).toBe(false);
    expect(redact(text)).toBe(text);
  });

  it('bearer tokens and Authorization headers, keeping the scheme', () => {
    expect(
      redact('GET /me Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl'),
    ).toBe('GET /me Authorization: Bearer [REDACTED]');
    expect(redact('{"authorization":"Basic dXNlcjpwYXNz","ok":true}')).toBe(
      '{"authorization":"Basic [REDACTED]","ok":true}',
    );
    expect(redact('token sent as bearer abcdEFGH1234_-.~+/=')).toBe(
      'token sent as bearer [REDACTED]',
    );
    expect(redact('the bearer of this letter')).toBe('the bearer of this letter');
  });

  it('passwords in URLs, keeping the user', () => {
    expect(redact('connecting to postgres://app:s3cr3t!@db.internal:5432/main')).toBe(
      'connecting to postgres://app:[REDACTED]@db.internal:5432/main',
    );
    expect(redact('fetch https://example.com/a@b')).toBe('fetch https://example.com/a@b');
  });

  it('IP addresses only when asked, and only whole ones', () => {
    const text = 'from 10.0.0.12:443 and [2001:db8::7]; std::string v1.2.3.4.5';
    expect(redact(text)).toBe(text);
    expect(redact(text, { detectors: ['ip'] })).toBe(
      'from [REDACTED]:443 and [[REDACTED]]; std::string v1.2.3.4.5',
    );
  });

  it('custom patterns run on RE2; named captures limit what is replaced', () => {
    const text = 'user=bob password=hunter2 session=abc123';
    expect(redact(text, { detectors: [], patterns: ['session=\\w+'] })).toBe(
      'user=bob password=hunter2 [REDACTED]',
    );
    expect(
      redact(text, { detectors: [], patterns: ['password=(?<pw>\\S+)'], replacement: '***' }),
    ).toBe('user=bob password=*** session=abc123');
  });

  it('a custom replacement applies to cards too', () => {
    expect(redact('4111111111111111', { replacement: '<card>' })).toBe('<card>');
  });

  it('redacts the message, the path and every text field by default', () => {
    const log = logOf({
      message: 'login for a@b.io',
      path: '/reset?email=c@d.io',
      fields: { to: ['e@f.io', 'x'], nested: 'g@h.io', count: 3 },
    });
    expect(redactor().redactLog(log)).toBe(4);
    expect(log).toMatchObject({
      message: 'login for [REDACTED]',
      path: '/reset?email=[REDACTED]',
      fields: { to: ['[REDACTED]', 'x'], nested: '[REDACTED]', count: 3 },
    });
  });

  it('redacts only the given fields when told', () => {
    const log = logOf({ message: 'a@b.io', fields: { email: 'c@d.io' } });
    expect(redactor({ fields: ['fields.email'] }).redactLog(log)).toBe(1);
    expect(log).toMatchObject({ message: 'a@b.io', fields: { email: '[REDACTED]' } });
  });

  it('refuses unknown detectors, bad patterns and fields that are not text', () => {
    expect(() => redactor({ detectors: ['ssn' as never] })).toThrow(
      'steps[0].detectors[0]: unknown detector "ssn" (use url-password, bearer-token, email, credit-card, ip)',
    );
    expect(() => redactor({ patterns: ['a(?=b)'] })).toThrow(
      'steps[0].patterns[0]: lookahead "(?=" at position 1 is not supported',
    );
    expect(() => redactor({ fields: ['status'] })).toThrow(
      'steps[0].fields[0]: "status" is not text and cannot be redacted',
    );
  });
});
