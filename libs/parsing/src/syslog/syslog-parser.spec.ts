import { parseSyslog } from './syslog-parser';
import { syslogToParsedLog } from './syslog-to-parsed';

// Mid-year reference time, so year inference is not in play unless a test wants it.
const now = Date.UTC(2026, 5, 15, 12, 0, 0);
const options = { now };

describe('parseSyslog: RFC 5424', () => {
  it('reads every header field, several SD-ELEMENTs and the message', () => {
    const text =
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 ' +
      '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"] ' +
      'An application event log entry...';
    expect(parseSyslog(text, options)).toEqual({
      format: 'rfc5424',
      facility: 20,
      severity: 5,
      ts: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      timestampHadYear: true,
      timestampHadZone: true,
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: '1234',
      msgId: 'ID47',
      structuredData: {
        'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
        'examplePriority@32473': { class: 'high' },
      },
      message: 'An application event log entry...',
    });
  });

  it('takes NILVALUE as absent everywhere, with or without a message', () => {
    const withMessage = parseSyslog('<14>1 - - - - - - hello', options);
    expect(withMessage).toMatchObject({ facility: 1, severity: 6, message: 'hello' });
    expect(withMessage?.ts).toBeUndefined();
    expect(withMessage?.hostname).toBeUndefined();
    expect(withMessage?.appName).toBeUndefined();
    expect(withMessage?.procId).toBeUndefined();
    expect(withMessage?.msgId).toBeUndefined();
    expect(withMessage?.structuredData).toEqual({});
    expect(parseSyslog('<14>1 - - - - - -', options)).toMatchObject({
      format: 'rfc5424',
      message: '',
    });
  });

  it('unescapes \\" \\\\ and \\] in param values and keeps other backslashes', () => {
    const text = String.raw`<13>1 - h a - - [x@1 q="say \"hi\"" b="C:\\dir" r="[a\]" o="\n"] m`;
    expect(parseSyslog(text, options)?.structuredData).toEqual({
      'x@1': { q: 'say "hi"', b: 'C:\\dir', r: '[a]', o: '\\n' },
    });
    expect(parseSyslog(text, options)?.message).toBe('m');
  });

  it('strips a UTF-8 BOM at the start of MSG and keeps non-ASCII text', () => {
    const parsed = parseSyslog(
      '<14>1 2014-06-20T09:14:07+00:00 h a - - - \uFEFFGrüße ☃ 日本',
      options,
    );
    expect(parsed?.message).toBe('Grüße ☃ 日本');
  });

  it('reads fractional seconds and zones, keeping microseconds as a fraction', () => {
    const at = (stamp: string) => parseSyslog(`<14>1 ${stamp} h a - - - m`, options)?.ts;
    expect(at('2026-01-02T03:04:05Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(at('2026-01-02T03:04:05.123+02:00')).toBe(Date.UTC(2026, 0, 2, 1, 4, 5, 123));
    expect(at('2026-01-02T03:04:05.123456-05:30')).toBeCloseTo(
      Date.UTC(2026, 0, 2, 8, 34, 5, 123) + 0.456,
      6,
    );
  });

  it('reads a zone-less timestamp in defaultUtcOffsetMinutes and says so', () => {
    const parsed = parseSyslog('<14>1 2026-01-02T03:04:05 h a - - - m', {
      now,
      defaultUtcOffsetMinutes: 60,
    });
    expect(parsed?.ts).toBe(Date.UTC(2026, 0, 2, 2, 4, 5));
    expect(parsed?.timestampHadZone).toBe(false);
  });

  it('keeps the text as message when STRUCTURED-DATA is missing or malformed', () => {
    expect(
      parseSyslog('<190>1 2020-08-31T13:46:15Z host app web.1 - I, [x] INFO', options),
    ).toMatchObject({
      procId: 'web.1',
      structuredData: {},
      message: 'I, [x] INFO',
    });
    expect(parseSyslog('<14>1 - h a - - [broken x="1" rest', options)).toMatchObject({
      structuredData: {},
      message: '[broken x="1" rest',
    });
  });

  it('does not let SD-IDs or names touch Object.prototype', () => {
    const parsed = parseSyslog('<14>1 - h a - - [__proto__ polluted="yes"] m', options);
    expect(parsed?.structuredData['__proto__']).toEqual({ polluted: 'yes' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts a leading RFC 6587 octet count only when asked', () => {
    const text = '19 <14>1 - h a - - - hi';
    expect(parseSyslog(text, { now, allowOctetCount: true })?.message).toBe('hi');
    expect(parseSyslog(text, options)).toBeUndefined();
  });

  it('drops a trailing line end', () => {
    expect(parseSyslog('<14>1 - h a - - - hi\r\n', options)?.message).toBe('hi');
  });
});

describe('parseSyslog: RFC 3164', () => {
  it('reads a classic BSD message with a space-padded day', () => {
    expect(
      parseSyslog('<34>Oct  1 22:14:15 mymachine su[230]: su root failed on /dev/pts/8', options),
    ).toEqual({
      format: 'rfc3164',
      facility: 4,
      severity: 2,
      ts: Date.UTC(2025, 9, 1, 22, 14, 15),
      timestampHadYear: false,
      timestampHadZone: false,
      hostname: 'mymachine',
      appName: 'su',
      procId: '230',
      structuredData: {},
      message: 'su root failed on /dev/pts/8',
    });
  });

  it('reads a TAG without PID, and a message without TAG', () => {
    expect(
      parseSyslog('<13>Feb  5 17:32:18 10.0.0.99 sudo: alice : TTY=pts/0', options),
    ).toMatchObject({
      hostname: '10.0.0.99',
      appName: 'sudo',
      message: 'alice : TTY=pts/0',
    });
    const untagged = parseSyslog('<13>Feb  5 17:32:18 router link 3 is down', options);
    expect(untagged).toMatchObject({ hostname: 'router', message: 'link 3 is down' });
    expect(untagged?.appName).toBeUndefined();
  });

  it('sees no hostname when the token after the timestamp is a TAG', () => {
    const parsed = parseSyslog('<13>Feb  5 17:32:18 kernel[0]: eth0 up', options);
    expect(parsed).toMatchObject({ appName: 'kernel', procId: '0', message: 'eth0 up' });
    expect(parsed?.hostname).toBeUndefined();
    expect(parseSyslog('<13>Feb  5 17:32:18 cron: job done', options)).toMatchObject({
      appName: 'cron',
      message: 'job done',
    });
  });

  it('keeps colons inside the TAG and message (`pam_unix(sudo:session):`)', () => {
    expect(
      parseSyslog('<86>Feb  5 17:32:18 h sudo: pam_unix(sudo:session): session opened', options),
    ).toMatchObject({ appName: 'sudo', message: 'pam_unix(sudo:session): session opened' });
    expect(parseSyslog('<86>Feb  5 17:32:18 h postfix/smtpd[7]: x', options)?.appName).toBe(
      'postfix/smtpd',
    );
  });

  it('reads an ISO 8601 timestamp in place of the BSD one', () => {
    const parsed = parseSyslog(
      '<181>2018-09-14T00:54:09+00:00 lzpqrst-admin.in.mycompany.com.lg CISE_RADIUS_Accounting 0018032501 1 0',
      options,
    );
    expect(parsed).toMatchObject({
      format: 'rfc3164',
      facility: 22,
      severity: 5,
      ts: Date.UTC(2018, 8, 14, 0, 54, 9),
      timestampHadYear: true,
      timestampHadZone: true,
      hostname: 'lzpqrst-admin.in.mycompany.com.lg',
      message: 'CISE_RADIUS_Accounting 0018032501 1 0',
    });
  });

  it('reads a timestamp with a year (`Mmm dd yyyy hh:mm:ss`)', () => {
    expect(parseSyslog('<13>Aug 06 2019 17:26:31 h app: m', options)).toMatchObject({
      ts: Date.UTC(2019, 7, 6, 17, 26, 31),
      timestampHadYear: true,
      hostname: 'h',
      appName: 'app',
    });
  });

  it('keeps the relay header of a relayed message and the original one in the message', () => {
    const parsed = parseSyslog(
      '<181>Aug  6 17:26:31 10.34.84.145 Aug  7 00:45:43 stage-pdp01 CISE_Profiler 0000010 1 0',
      options,
    );
    expect(parsed).toMatchObject({
      ts: Date.UTC(2025, 7, 6, 17, 26, 31),
      hostname: '10.34.84.145',
      message: 'Aug  7 00:45:43 stage-pdp01 CISE_Profiler 0000010 1 0',
    });
    expect(parsed?.appName).toBeUndefined();
  });

  it('keeps everything after a valid PRI as message when no header follows', () => {
    expect(parseSyslog('<13>just some text', options)).toEqual({
      format: 'rfc3164',
      facility: 1,
      severity: 5,
      timestampHadYear: false,
      timestampHadZone: false,
      structuredData: {},
      message: 'just some text',
    });
    // A version and a non-timestamp: not RFC 5424 after all.
    expect(parseSyslog('<13>1 apple', options)).toMatchObject({
      format: 'rfc3164',
      message: '1 apple',
    });
  });
});

describe('parseSyslog: lines without PRI', () => {
  it('reads /var/log/syslog and auth.log lines', () => {
    const parsed = parseSyslog(
      'Feb 21 21:54:44 localhost sshd[3402]: Accepted publickey for vagrant',
      { now, defaultUtcOffsetMinutes: -120 },
    );
    expect(parsed).toEqual({
      format: 'rfc3164',
      ts: Date.UTC(2026, 1, 21, 23, 54, 44),
      timestampHadYear: false,
      timestampHadZone: false,
      hostname: 'localhost',
      appName: 'sshd',
      procId: '3402',
      structuredData: {},
      message: 'Accepted publickey for vagrant',
    });
    expect(parsed?.facility).toBeUndefined();
    expect(parsed?.severity).toBeUndefined();
  });

  it('has no hostname when the next token cannot be one, and a single-digit day', () => {
    const parsed = parseSyslog('Apr 4 03:39:57 --- last message repeated 1 time ---', options);
    expect(parsed).toMatchObject({ message: '--- last message repeated 1 time ---' });
    expect(parsed?.hostname).toBeUndefined();
  });

  it('reads ISO timestamps (zones with and without colon) when a TAG follows', () => {
    expect(
      parseSyslog('1986-04-26T01:23:45.101+0400 rmbkmonitor04 shutdown[2649]: halt', options),
    ).toMatchObject({
      ts: Date.UTC(1986, 3, 25, 21, 23, 45, 101),
      hostname: 'rmbkmonitor04',
      appName: 'shutdown',
      procId: '2649',
      message: 'halt',
    });
  });

  it('does not take an application log with a leading ISO time for syslog', () => {
    expect(parseSyslog('2026-01-02T03:04:05Z INFO server started', options)).toBeUndefined();
  });
});

describe('parseSyslog: year inference for BSD timestamps', () => {
  const at = (line: string, reference: number, defaultUtcOffsetMinutes = 0) =>
    parseSyslog(`${line} h app: m`, { now: reference, defaultUtcOffsetMinutes })?.ts;

  it('puts a December line read in January into last year', () => {
    expect(at('Dec 31 23:59:58', Date.UTC(2026, 0, 1, 0, 0, 5))).toBe(
      Date.UTC(2025, 11, 31, 23, 59, 58),
    );
  });

  it('puts a January line read on 31 December into the coming year (less than a month ahead)', () => {
    expect(at('Jan  1 00:00:03', Date.UTC(2025, 11, 31, 23, 59, 59))).toBe(
      Date.UTC(2026, 0, 1, 0, 0, 3),
    );
  });

  it('keeps a line of earlier this year, and one slightly ahead, in this year', () => {
    expect(at('Mar  3 10:00:00', now)).toBe(Date.UTC(2026, 2, 3, 10, 0, 0));
    expect(at('Jul  1 10:00:00', now)).toBe(Date.UTC(2026, 6, 1, 10, 0, 0));
    // More than a month ahead: last year.
    expect(at('Aug 20 10:00:00', now)).toBe(Date.UTC(2025, 7, 20, 10, 0, 0));
  });

  it('reads the line in defaultUtcOffsetMinutes across New Year', () => {
    // 31 Dec 2025 23:00 UTC is already 1 Jan 2026 01:00 at UTC+02:00, where the line was written.
    expect(at('Jan  1 00:30:00', Date.UTC(2025, 11, 31, 23, 0, 0), 120)).toBe(
      Date.UTC(2025, 11, 31, 22, 30, 0),
    );
  });

  it('finds the last leap year for Feb 29', () => {
    expect(at('Feb 29 12:00:00', Date.UTC(2026, 5, 1))).toBe(Date.UTC(2024, 1, 29, 12, 0, 0));
  });
});

describe('parseSyslog: garbage', () => {
  it.each(['WHAT@!', '', '<999>x', '<html>', '<>x', '   ', 'Feb 31 x', '\u0000\u0001'])(
    '%p is not syslog',
    (text) => {
      expect(parseSyslog(text, options)).toBeUndefined();
    },
  );

  it('reads a PRI alone as an empty message', () => {
    expect(parseSyslog('<13>', options)).toMatchObject({ facility: 1, severity: 5, message: '' });
  });

  it('never throws on truncated or odd input', () => {
    const base =
      '<14>1 2014-06-20T09:14:07+00:00 h a p m [x@1 a="\\"b\\\\" c="d"][y e="f"] \uFEFFmsg';
    for (let cut = 0; cut <= base.length; cut++) {
      expect(() => parseSyslog(base.slice(0, cut), options)).not.toThrow();
    }
    expect(parseSyslog('<14>1 2014-06-20T09:14:07+00:00 h', options)).toMatchObject({
      hostname: 'h',
      message: '',
    });
  });
});

describe('syslogToParsedLog', () => {
  const context = { receivedAt: Date.UTC(2026, 5, 15), host: '10.0.0.9' };

  it('maps severity, host, message, and facility/app/procid/msgid/SD into fields', () => {
    const message = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z web1 evntslog 1234 ID47 [origin@1 ip="10.1.1.1"] started',
      options,
    );
    expect(message && syslogToParsedLog(message, context)).toEqual({
      ts: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      level: 5,
      message: 'started',
      host: 'web1',
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: {
        'syslog.facility': 'local4',
        'syslog.app_name': 'evntslog',
        'syslog.procid': '1234',
        'syslog.msgid': 'ID47',
        'sd.origin@1.ip': '10.1.1.1',
      },
      parseError: null,
    });
  });

  it('falls back to the context host and time, and guesses the level without PRI', () => {
    const withoutPri = parseSyslog('Feb  5 17:32:18 app: ERROR disk full', options);
    expect(withoutPri && syslogToParsedLog(withoutPri, context)).toMatchObject({
      level: 3,
      host: '10.0.0.9',
      fields: { 'syslog.app_name': 'app' },
    });
    const bare = parseSyslog('<13>hello', options);
    expect(bare && syslogToParsedLog(bare, { receivedAt: 7 })).toMatchObject({
      ts: 7,
      level: 5,
      host: null,
      message: 'hello',
      fields: { 'syslog.facility': 'user' },
    });
    const plain = parseSyslog('Feb  5 17:32:18 h app: all good', options);
    expect(plain && syslogToParsedLog(plain, context).level).toBe(6);
  });
});
