// Pure parsing: no Nest, no I/O.
export { parseLine, toLatencyMs } from './parse-line';
export { flattenObject } from './flatten';
export { levelFromStatus, levelFromText, levelFromValue, levelFromWord } from './levels';
export {
  apacheErrorDateToMs,
  httpDateToMs,
  isoToMs,
  isoToMsInZone,
  leadingTimestamp,
  leadingTimestampInZone,
  nginxErrorDateToMs,
  timestampFromValue,
  timestampFromValueInZone,
} from './timestamps';
export type { LineContext, ParsedLog } from './parsed-log';
export { parseSyslog } from './syslog/syslog-parser';
export { syslogToParsedLog } from './syslog/syslog-to-parsed';
export { SYSLOG_FACILITIES, type SyslogFacilityName } from './syslog/facilities';
export type { SyslogMessage, SyslogParseOptions } from './syslog/syslog-message';
export * from './formats';
export * from './pipeline';
export { isValidTimeZone, utcOffsetMinutes } from './time-zones';
