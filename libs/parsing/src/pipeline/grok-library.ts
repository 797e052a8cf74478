/**
 * The built-in grok patterns, written for RE2: no lookarounds, so boundaries use `\b` and
 * alternatives are ordered longest-first where a shorter one could win (RE2, like Perl, takes
 * the first alternative that lets the whole pattern match). The composite log patterns capture
 * under Lookout's column names (`timestamp`, `method`, `path`, `status`, `host`, `message`) so
 * a pipeline fills the columns without renames; everything else lands in `fields`.
 */
const HEX4 = '[0-9A-Fa-f]{1,4}';

export const GROK_PATTERNS: Readonly<Record<string, string>> = {
  // Words, spaces and free text.
  WORD: String.raw`\b\w+\b`,
  NOTSPACE: String.raw`\S+`,
  SPACE: String.raw`\s*`,
  DATA: '.*?',
  GREEDYDATA: '.*',
  QUOTEDSTRING: String.raw`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + '`(?:[^`\\\\]|\\\\.)*`',
  QS: '%{QUOTEDSTRING}',
  UUID: '[A-Fa-f0-9]{8}-(?:[A-Fa-f0-9]{4}-){3}[A-Fa-f0-9]{12}',

  // Numbers.
  INT: '[+-]?[0-9]+',
  BASE10NUM: String.raw`[+-]?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)`,
  NUMBER: '%{BASE10NUM}',
  BASE16NUM: '[+-]?(?:0[xX])?[0-9A-Fa-f]+',
  POSINT: String.raw`\b[1-9][0-9]*\b`,
  NONNEGINT: String.raw`\b[0-9]+\b`,

  // Users and addresses.
  USERNAME: '[a-zA-Z0-9._-]+',
  USER: '%{USERNAME}',
  EMAILLOCALPART: '[a-zA-Z0-9._%+-]+',
  EMAILADDRESS: '%{EMAILLOCALPART}@%{HOSTNAME}',
  HTTPDUSER: '%{EMAILADDRESS}|%{USER}',
  MAC: '%{CISCOMAC}|%{WINDOWSMAC}|%{COMMONMAC}',
  CISCOMAC: String.raw`(?:[A-Fa-f0-9]{4}\.){2}[A-Fa-f0-9]{4}`,
  WINDOWSMAC: '(?:[A-Fa-f0-9]{2}-){5}[A-Fa-f0-9]{2}',
  COMMONMAC: '(?:[A-Fa-f0-9]{2}:){5}[A-Fa-f0-9]{2}',
  IPV4: String.raw`\b%{IPV4OCTET}(?:\.%{IPV4OCTET}){3}\b`,
  IPV4OCTET: '25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9]',
  // Forms with an embedded IPv4 first, then by how many groups follow `::`, most first, so a
  // shorter form never stops the match half-way through an address.
  IPV6: [
    `(?:${HEX4}:){6}%{IPV4}`,
    `::(?:[Ff]{4}(?::0{1,4})?:)?%{IPV4}`,
    `(?:${HEX4}:){1,4}:%{IPV4}`,
    `[Ff][Ee]80:(?::${HEX4}){0,4}%[0-9A-Za-z]+`,
    `(?:${HEX4}:){7}${HEX4}`,
    `${HEX4}:(?::${HEX4}){1,6}`,
    `(?:${HEX4}:){1,2}(?::${HEX4}){1,5}`,
    `(?:${HEX4}:){1,3}(?::${HEX4}){1,4}`,
    `(?:${HEX4}:){1,4}(?::${HEX4}){1,3}`,
    `(?:${HEX4}:){1,5}(?::${HEX4}){1,2}`,
    `(?:${HEX4}:){1,6}:${HEX4}`,
    `:(?::${HEX4}){1,7}`,
    `(?:${HEX4}:){1,7}:`,
    '::',
  ].join('|'),
  IP: '%{IPV6}|%{IPV4}',
  HOSTNAME: String.raw`\b[0-9A-Za-z][0-9A-Za-z-]{0,62}(?:\.[0-9A-Za-z][0-9A-Za-z-]{0,62})*\.?`,
  HOST: '%{HOSTNAME}',
  IPORHOST: '%{IP}|%{HOSTNAME}',
  PORT: String.raw`\b[0-9]{1,5}\b`,
  HOSTPORT: '%{IPORHOST}:%{PORT}',

  // Paths and URIs.
  PATH: '%{UNIXPATH}|%{WINPATH}',
  UNIXPATH: String.raw`(?:/[\w%!$@:.,+~-]*)+`,
  WINPATH: String.raw`(?:[A-Za-z]+:|\\)(?:\\[^\\?*]*)+`,
  URIPROTO: '[A-Za-z][A-Za-z0-9+.-]+',
  URIHOST: '%{IPORHOST}(?::%{PORT})?',
  URIPATH: String.raw`(?:/[A-Za-z0-9$.+!*'(){},~:;=@#%&_\-]*)+`,
  URIPARAM: String.raw`\?[A-Za-z0-9$.+!*'|(){},~@#%&/=:;_?\-\[\]<>]*`,
  URIPATHPARAM: '%{URIPATH}(?:%{URIPARAM})?',
  URI: String.raw`%{URIPROTO}://(?:%{USER}(?::[^@\s]*)?@)?(?:%{URIHOST})?(?:%{URIPATHPARAM})?`,

  // Dates and times.
  MONTH: String.raw`\b(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b`,
  MONTHNUM: '0?[1-9]|1[0-2]',
  MONTHNUM2: '0[1-9]|1[0-2]',
  MONTHDAY: '0[1-9]|[12][0-9]|3[01]|[1-9]',
  DAY: String.raw`\b(?i:mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b`,
  YEAR: '(?:[0-9]{2}){1,2}',
  HOUR: '2[0-3]|[01]?[0-9]',
  MINUTE: '[0-5][0-9]',
  SECOND: '(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?',
  TIME: String.raw`\b%{HOUR}:%{MINUTE}(?::%{SECOND})?\b`,
  DATE_US: '%{MONTHNUM}[/-]%{MONTHDAY}[/-]%{YEAR}',
  DATE_EU: '%{MONTHDAY}[./-]%{MONTHNUM}[./-]%{YEAR}',
  DATE: '%{DATE_US}|%{DATE_EU}',
  DATESTAMP: '%{DATE}[- ]%{TIME}',
  TZ: '[A-Z]{3,4}',
  ISO8601_TIMEZONE: 'Z|[+-]%{HOUR}(?::?%{MINUTE})?',
  ISO8601_SECOND: '%{SECOND}',
  TIMESTAMP_ISO8601:
    '%{YEAR}-%{MONTHNUM}-%{MONTHDAY}[T ]%{HOUR}:?%{MINUTE}(?::?%{SECOND})?%{ISO8601_TIMEZONE}?',
  HTTPDATE: '%{MONTHDAY}/%{MONTH}/%{YEAR}:%{TIME} %{INT}',
  SYSLOGTIMESTAMP: '%{MONTH} +%{MONTHDAY} %{TIME}',

  // Levels.
  LOGLEVEL: String.raw`\b(?i:emerg(?:ency)?|alert|crit(?:ical)?|fatal|severe|err(?:or)?|warn(?:ing)?|notice|info(?:rmation)?|debug|trace)\b`,

  // Syslog (RFC 3164 as files show it).
  PROG: String.raw`[\x21-\x5a\x5c\x5e-\x7e]+`,
  SYSLOGPROG: String.raw`%{PROG:program}(?:\[%{POSINT:pid:int}\])?`,
  SYSLOGHOST: '%{IPORHOST}',
  SYSLOGFACILITY: String.raw`<%{NONNEGINT:facility:int}\.%{NONNEGINT:priority:int}>`,
  SYSLOGBASE:
    '%{SYSLOGTIMESTAMP:timestamp} (?:%{SYSLOGFACILITY} )?%{SYSLOGHOST:host} %{SYSLOGPROG}:',
  SYSLOGLINE: '%{SYSLOGBASE} ?%{GREEDYDATA:message}',

  // Web servers. The request line falls back to `request` when it is not `METHOD path HTTP/x`.
  HTTPREQUESTLINE:
    '%{WORD:method} %{NOTSPACE:path}(?: HTTP/%{NUMBER:http.version})?|%{DATA:request}',
  COMMONAPACHELOG: String.raw`%{IPORHOST:client.ip} %{HTTPDUSER:ident} %{HTTPDUSER:user.name} \[%{HTTPDATE:timestamp}\] "%{HTTPREQUESTLINE}" %{INT:status:int} (?:%{INT:bytes:int}|-)`,
  COMBINEDAPACHELOG: String.raw`%{COMMONAPACHELOG} "(?<referrer>(?:[^"\\]|\\.)*)" "(?<user_agent>(?:[^"\\]|\\.)*)"`,
  // nginx's default `combined` log format, with the optional `"$http_x_forwarded_for"` at the end.
  NGINXACCESS: String.raw`%{IPORHOST:client.ip} - %{HTTPDUSER:user.name} \[%{HTTPDATE:timestamp}\] "%{HTTPREQUESTLINE}" %{INT:status:int} %{INT:bytes:int} "(?<referrer>(?:[^"\\]|\\.)*)" "(?<user_agent>(?:[^"\\]|\\.)*)"(?: "(?<forwarded_for>[^"]*)")?`,
};
