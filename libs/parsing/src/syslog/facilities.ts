/**
 * Syslog facility names by code (RFC 5424 §6.2.1, with the names rsyslog and syslog-ng use).
 * PRI = facility * 8 + severity.
 */
export const SYSLOG_FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export type SyslogFacilityName = (typeof SYSLOG_FACILITIES)[number];
