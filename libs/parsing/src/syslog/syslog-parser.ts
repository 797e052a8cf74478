import { readStructuredData, type StructuredData } from './structured-data';
import type { SyslogMessage, SyslogParseOptions } from './syslog-message';
import { readBsdTimestamp, readIsoTimestamp, type SyslogTimestamp } from './syslog-timestamps';

const PRI = /^<(\d{1,3})>/;
const MAX_PRI = 23 * 8 + 7;
const RFC5424_VERSION = /^[1-9]\d? /;
const OCTET_COUNT = /^[1-9]\d{0,8} (?=<)/;
const BOM = '\uFEFF';

// An RFC 3164 TAG: `sshd:`, `sshd[42]:`, `postfix/smtpd[7]:`, `pam_unix(sudo:session):`. The
// colon must be followed by a space (or the end), so `12:30` inside text is not a tag.
const TAG = /([^\s[\]]{1,128}?)(?:\[([^\s\]]{0,64})\])?:(?: |$)/y;
// What a HOSTNAME field may hold: a name, IPv4 or IPv6 address. `---` is not one.
const HOSTNAME = /^[A-Za-z0-9_][\w.:%-]{0,254}$/;

type Body = Omit<SyslogMessage, 'facility' | 'severity'>;

/**
 * Splits a syslog message (RFC 5424, RFC 3164, or a BSD line of /var/log/syslog without PRI) into
 * its fields. Returns undefined when the text is not syslog, so the caller can fall back to
 * another parser. Lenient where senders are sloppy; never throws.
 */
export function parseSyslog(text: string, options: SyslogParseOptions): SyslogMessage | undefined {
  let line = withoutLineEnd(text);
  if (line.startsWith(BOM)) line = line.slice(1);
  if (options.allowOctetCount) line = line.replace(OCTET_COUNT, '');

  if (!line.startsWith('<')) return parse3164(line, options, false);
  const pri = PRI.exec(line);
  if (!pri || Number(pri[1]) > MAX_PRI) return undefined;
  const value = Number(pri[1]);
  const rest = line.slice(pri[0].length);
  // A PRI is strong evidence of syslog: keep whatever follows even if no header can be read.
  const body =
    (RFC5424_VERSION.test(rest) && parse5424(rest, options)) || parse3164(rest, options, true);
  return body && { facility: value >> 3, severity: value & 7, ...body };
}

/** `VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`, `-` meaning none. */
function parse5424(text: string, options: SyslogParseOptions): Body | undefined {
  let pos = text.indexOf(' ') + 1;
  const header: string[] = [];
  for (let field = 0; field < 5 && pos <= text.length; field++) {
    const end = tokenEnd(text, pos);
    header.push(text.slice(pos, end));
    pos = end + 1;
  }
  const [stampText, hostname, appName, procId, msgId] = header.map(nil);
  let stamp: SyslogTimestamp | undefined;
  if (stampText !== undefined) {
    stamp = readIsoTimestamp(stampText, options);
    // Not a timestamp: this is not RFC 5424 after all (`<13>1 apple`).
    if (!stamp || stamp.length !== stampText.length) return undefined;
  }

  let structuredData: StructuredData = {};
  let messageStart = pos;
  if (text[pos] === '-' && (pos + 1 === text.length || text[pos + 1] === ' ')) {
    messageStart = pos + 2;
  } else if (text[pos] === '[') {
    const sd = readStructuredData(text, pos);
    // Malformed structured data stays in the message rather than being lost.
    if (sd) {
      structuredData = sd.data;
      messageStart = text[sd.end] === ' ' ? sd.end + 1 : sd.end;
    }
  }
  // Anything else where STRUCTURED-DATA belongs (Heroku omits the field) starts the message.

  return {
    format: 'rfc5424',
    ts: stamp?.ts,
    timestampHadYear: stamp !== undefined,
    timestampHadZone: stamp?.hadZone ?? false,
    hostname,
    appName,
    procId,
    msgId,
    structuredData,
    message: withoutBom(text.slice(messageStart)),
  };
}

/**
 * `TIMESTAMP [HOSTNAME] [TAG[PID]:] MSG`. The timestamp is BSD (`Aug  6 17:26:31`, optionally with a
 * year) or ISO 8601. The hostname is absent when the token after the timestamp is already a TAG or
 * cannot be a host name. A relayed message (a second timestamp and host, as Cisco ISE sends) keeps
 * the first pair as the header and the rest as message.
 */
function parse3164(text: string, options: SyslogParseOptions, hadPri: boolean): Body | undefined {
  const bsd = readBsdTimestamp(text, options);
  const stamp = bsd ?? readIsoTimestamp(text, options);
  if (!stamp) {
    // RFC 3164 §4.3.2: after a valid PRI, a missing header makes it all content.
    return hadPri ? bare(text) : undefined;
  }

  let pos = skipSpaces(text, stamp.length);
  let hostname: string | undefined;
  let tag = readTag(text, pos);
  if (!tag) {
    const end = tokenEnd(text, pos);
    const token = text.slice(pos, end);
    if (HOSTNAME.test(token)) {
      hostname = token;
      pos = skipSpaces(text, end);
      tag = readTag(text, pos);
    }
  }
  // Without PRI, an ISO timestamp alone is not syslog (many application logs start that way):
  // ask for the TAG too. A BSD timestamp at the start of a line is syslog's own.
  if (!hadPri && !bsd && !tag) return undefined;

  return {
    format: 'rfc3164',
    ts: stamp.ts,
    timestampHadYear: stamp.hadYear,
    timestampHadZone: stamp.hadZone,
    hostname,
    appName: tag?.appName,
    procId: tag?.procId,
    structuredData: {},
    message: withoutBom(text.slice(tag ? tag.end : pos)),
  };
}

function readTag(
  text: string,
  at: number,
): { appName: string; procId?: string; end: number } | undefined {
  TAG.lastIndex = at;
  const match = TAG.exec(text);
  if (!match) return undefined;
  return { appName: match[1], procId: match[2] || undefined, end: at + match[0].length };
}

function bare(text: string): Body {
  return {
    format: 'rfc3164',
    timestampHadYear: false,
    timestampHadZone: false,
    structuredData: {},
    message: withoutBom(text),
  };
}

function nil(value: string): string | undefined {
  return value === '-' || value === '' ? undefined : value;
}

function tokenEnd(text: string, from: number): number {
  const space = text.indexOf(' ', from);
  return space === -1 ? text.length : space;
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text[i] === ' ') i++;
  return i;
}

function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** A trailing CR/LF belongs to the transport, not to the message. */
function withoutLineEnd(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  return end === text.length ? text : text.slice(0, end);
}
