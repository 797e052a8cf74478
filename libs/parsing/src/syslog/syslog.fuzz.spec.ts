import fc from 'fast-check';
import { parseSyslog } from './syslog-parser';
import { syslogToParsedLog } from './syslog-to-parsed';
import type { SyslogMessage } from './syslog-message';

const now = Date.UTC(2026, 5, 15, 12, 0, 0);

/** Any code point but lone surrogates, controls included: fast-check's 'binary' unit, much faster. */
const anyCodePoint = fc
  .oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0x10ffff }),
  )
  .map((code) => String.fromCodePoint(code));

/** Text that is mostly syslog-shaped: PRI, version, timestamps, NILVALUEs, SD, tags, junk. */
const piece = fc.oneof(
  fc.constantFrom(
    '<',
    '>',
    '<0>',
    '<13>',
    '<165>',
    '<191>',
    '<192>',
    '<999999>',
    '1 ',
    '99 ',
    '- ',
    '-',
    ' ',
    '  ',
    '[',
    ']',
    '="',
    '"',
    '\\"',
    '\\]',
    '\\',
    'x@1 ',
    'a="b"',
    '2003-10-11T22:14:15.003Z ',
    '2026-02-30T25:61:61+99:99 ',
    '1985-04-12T23:20:50.52-04:00 ',
    'Oct 11 22:14:15 ',
    'Feb 29 00:00:00 ',
    'Jan  1 00:00:00 2026 ',
    'host ',
    'sshd[42]: ',
    'pam_unix(sudo:session): ',
    '\uFEFF',
    '\n',
    '\r\n',
    '\u0000',
    '190 ',
  ),
  fc.string({ maxLength: 8, unit: anyCodePoint }),
);
const syslogish = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
const anyText = fc.oneof(
  syslogish,
  fc.string({ maxLength: 300, unit: anyCodePoint }),
  fc.string({ maxLength: 300, unit: 'grapheme' }),
);

function checkMessage(text: string, message: SyslogMessage): void {
  if (message.facility !== undefined) {
    expect(
      Number.isInteger(message.facility) && message.facility >= 0 && message.facility <= 23,
    ).toBe(true);
  }
  if (message.severity !== undefined) {
    expect(
      Number.isInteger(message.severity) && message.severity >= 0 && message.severity <= 7,
    ).toBe(true);
  }
  if (message.ts !== undefined) expect(Number.isFinite(message.ts)).toBe(true);
  // Nothing is invented: the message is a piece of the input (SD escapes aside, it is copied).
  expect(text.includes(message.message)).toBe(true);
  for (const [id, params] of Object.entries(message.structuredData)) {
    expect(typeof id).toBe('string');
    for (const value of Object.values(params)) expect(typeof value).toBe('string');
  }
  const parsed = syslogToParsedLog(message, { receivedAt: now, host: 'fallback' });
  expect(Number.isFinite(parsed.ts)).toBe(true);
  expect(parsed.level >= 0 && parsed.level <= 7).toBe(true);
  expect(typeof parsed.message).toBe('string');
  expect(JSON.stringify(parsed.fields)).toBeDefined();
}

describe('parseSyslog on arbitrary input (property-based)', () => {
  it('never throws, and whatever it returns is well-formed', () => {
    fc.assert(
      fc.property(
        anyText,
        fc.boolean(),
        fc.integer({ min: -840, max: 840 }),
        (text, octets, zone) => {
          const message = parseSyslog(text, {
            now,
            allowOctetCount: octets,
            defaultUtcOffsetMinutes: zone,
          });
          if (message) checkMessage(text, message);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('reads back the header fields of any well-formed RFC 5424 message', () => {
    const name = fc
      .stringMatching(/^[!-~]{1,32}$/)
      .filter((value) => value !== '-' && !value.includes('['));
    const hostname = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9.-]{0,40}$/);
    const sdName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,10}$/);
    const sdValue = fc.string({ maxLength: 20, unit: 'grapheme' });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 191 }),
        fc.date({ min: new Date('1971-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        hostname,
        name,
        fc.option(fc.dictionary(sdName, sdValue, { maxKeys: 3 }), { nil: undefined }),
        fc.string({ maxLength: 80, unit: 'grapheme' }).map((text) => text.replace(/[\r\n]/g, ' ')),
        (pri, date, host, app, params, msg) => {
          const escape = (value: string) => value.replace(/[\\"\]]/g, (char) => `\\${char}`);
          const sd = params
            ? `[meta@1${Object.entries(params)
                .map(([key, value]) => ` ${key}="${escape(value)}"`)
                .join('')}]`
            : '-';
          const text = `<${pri}>1 ${date.toISOString()} ${host} ${app} 77 ID1 ${sd} ${msg}`;
          const message = parseSyslog(text, { now });
          expect(message).toMatchObject({
            format: 'rfc5424',
            facility: pri >> 3,
            severity: pri & 7,
            ts: date.getTime(),
            hostname: host,
            appName: app,
            procId: '77',
            msgId: 'ID1',
          });
          expect(message?.structuredData).toEqual(params ? { 'meta@1': params } : {});
          expect(message?.message).toBe(msg.replace(/^\uFEFF/, ''));
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
