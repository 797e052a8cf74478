/** One syslog message split into its header fields (RFC 5424 or RFC 3164). */
export interface SyslogMessage {
  format: 'rfc5424' | 'rfc3164';
  /** 0–23 from PRI; undefined when the text carries no PRI (a line of /var/log/syslog). */
  facility?: number;
  /** 0 (emergency) to 7 (debug) from PRI; undefined when there is no PRI. */
  severity?: number;
  /** Event time in ms since the epoch (a fraction keeps microseconds); undefined when absent. */
  ts?: number;
  /** False when the year was inferred (BSD `Mmm dd hh:mm:ss`). */
  timestampHadYear: boolean;
  /** False when the zone was assumed (`defaultUtcOffsetMinutes`). */
  timestampHadZone: boolean;
  hostname?: string;
  /** RFC 5424 APP-NAME, or the RFC 3164 TAG (`sshd` in `sshd[42]:`). */
  appName?: string;
  procId?: string;
  msgId?: string;
  /** SD-ID → param → value, unescaped. Empty when there is none. */
  structuredData: Record<string, Record<string, string>>;
  /** The MSG part, without a leading UTF-8 BOM. */
  message: string;
}

export interface SyslogParseOptions {
  /** Reference time in ms for year inference of year-less BSD timestamps. */
  now: number;
  /** Zone of timestamps that carry none, in minutes east of UTC (default 0). */
  defaultUtcOffsetMinutes?: number;
  /**
   * Accept a leading RFC 6587 octet count (`190 <190>1 …`), as found in Heroku-style HTTP drains
   * or files saved from a TCP stream. Off by default: the TCP decoder removes framing itself.
   */
  allowOctetCount?: boolean;
}
