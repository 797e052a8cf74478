import type { ParsedLog } from '../parsed-log';
import { parseSyslog } from '../syslog/syslog-parser';
import { syslogToParsedLog } from '../syslog/syslog-to-parsed';
import type { FormatContext, LogFormat } from './log-format';

const MONTH_NAMES = new Set('Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' '));

/** Syslog: RFC 5424, RFC 3164, and the BSD lines of /var/log/syslog (see ../syslog). */
export const syslog: LogFormat = {
  name: 'syslog',
  description: 'Syslog (RFC 5424, RFC 3164, BSD /var/log lines, rsyslog ISO 8601 lines)',
  sniff: looksLikeSyslog,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const message = parseSyslog(line, {
      now: context.receivedAt,
      defaultUtcOffsetMinutes: context.utcOffsetMinutes,
    });
    return message && syslogToParsedLog(message, context);
  },
};

/**
 * `<PRI>…`, a BSD `Mmm dd` start, or rsyslog's ISO line with a host and a TAG ending in `:`
 * (`2024-05-01T10:00:00+02:00 web1 sshd[42]: …`). An ISO time followed by `ERROR: …` alone is an
 * application log, not syslog, so the TAG must come second.
 */
function looksLikeSyslog(line: string): boolean {
  const first = line.charCodeAt(0);
  if (first === 60) return isDigit(line.charCodeAt(1)); // '<'
  if (line[3] === ' ' && MONTH_NAMES.has(line.slice(0, 3)) && line.length > 15) {
    return line[6] === ' ' || line[5] === ' ';
  }
  if (line[4] !== '-' || line[10] !== 'T' || !isDigit(first)) return false;
  const afterTime = line.indexOf(' ');
  const afterHost = afterTime === -1 ? -1 : line.indexOf(' ', afterTime + 1);
  const afterTag = afterHost === -1 ? -1 : line.indexOf(' ', afterHost + 1);
  return afterTag > afterHost + 1 && line[afterTag - 1] === ':';
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
