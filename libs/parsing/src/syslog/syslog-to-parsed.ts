import { DEFAULT_LEVEL, levelFromText } from '../levels';
import type { LineContext, ParsedLog } from '../parsed-log';
import { SYSLOG_FACILITIES } from './facilities';
import type { SyslogMessage } from './syslog-message';

/**
 * A parsed syslog message as a `logs` row. The level is the PRI severity; without a PRI it is
 * guessed from the message text like any plain line.
 */
export function syslogToParsedLog(message: SyslogMessage, context: LineContext): ParsedLog {
  const fields: Record<string, unknown> = {};
  if (message.facility !== undefined) {
    fields['syslog.facility'] = SYSLOG_FACILITIES[message.facility] ?? String(message.facility);
  }
  if (message.appName !== undefined) fields['syslog.app_name'] = message.appName;
  if (message.procId !== undefined) fields['syslog.procid'] = message.procId;
  if (message.msgId !== undefined) fields['syslog.msgid'] = message.msgId;
  for (const [id, params] of Object.entries(message.structuredData)) {
    for (const [name, value] of Object.entries(params)) fields[`sd.${id}.${name}`] = value;
  }

  return {
    ts: message.ts ?? context.receivedAt,
    level: message.severity ?? levelFromText(message.message) ?? DEFAULT_LEVEL,
    message: message.message,
    host: message.hostname ?? context.host ?? null,
    statusCode: null,
    method: null,
    path: null,
    latencyMs: null,
    fields,
    parseError: null,
  };
}
