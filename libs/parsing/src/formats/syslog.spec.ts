import { syslog } from './syslog';

const context = { receivedAt: Date.UTC(2026, 4, 20), host: 'relay', utcOffsetMinutes: 120 };

describe('syslog format', () => {
  it('reads RFC 5424 through the syslog parser', () => {
    const parsed = syslog.parse(
      '<165>1 2026-05-01T10:00:00.5Z web1 app 42 ID7 [meta a="1"] disk full',
      context,
    );
    expect(parsed).toMatchObject({
      ts: Date.UTC(2026, 4, 1, 10, 0, 0, 500),
      level: 5,
      message: 'disk full',
      host: 'web1',
    });
    expect(parsed?.fields).toEqual({
      'syslog.facility': 'local4',
      'syslog.app_name': 'app',
      'syslog.procid': '42',
      'syslog.msgid': 'ID7',
      'sd.meta.a': '1',
    });
  });

  it('infers the year from the received time and reads the zone-less time at the offset', () => {
    const parsed = syslog.parse('May  1 10:00:00 web1 sshd[7]: Accepted key', context);
    expect(parsed).toMatchObject({ ts: Date.UTC(2026, 4, 1, 8), host: 'web1', level: 6 });
  });

  it('sniffs PRI, BSD and rsyslog ISO lines but not application logs', () => {
    expect(syslog.sniff('<13>May  1 10:00:00 host x')).toBe(true);
    expect(syslog.sniff('May  1 10:00:00 host x: y')).toBe(true);
    expect(syslog.sniff('Dec 31 23:59:59 host x: y')).toBe(true);
    expect(syslog.sniff('2024-05-01T10:00:00+02:00 web1 sshd[42]: Accepted')).toBe(true);
    expect(syslog.sniff('2024-05-01T10:00:00Z ERROR: payment failed')).toBe(false);
    expect(syslog.sniff('2024-05-01 10:00:00 web1 sshd: x')).toBe(false);
    expect(syslog.sniff('Mayday 1 10:00:00')).toBe(false);
    expect(syslog.sniff('<html>')).toBe(false);
  });

  it('declines what the parser declines', () => {
    expect(syslog.parse('just text', context)).toBeUndefined();
  });
});
