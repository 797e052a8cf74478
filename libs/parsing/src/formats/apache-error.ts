import { levelFromWord } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { apacheErrorDateToMs } from '../timestamps';
import { setClient } from './access-log';
import { splitHostPort } from './ip-address';
import type { FormatContext, LogFormat } from './log-format';

// 2.2: `[Mon Dec 26 16:22:08 2016] [error] [client 1.2.3.4] msg`;
// 2.4: `[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid 4328636416] [client 1.2.3.4:5] msg`.
// `s`: a multiline rule may have joined continuation lines (stack traces) into the message.
const APACHE_ERROR =
  /^\[([^\]]+)\] \[(?:([^:\]]+):)?([a-z]+\d?)\] (?:\[pid (\d+)(?::tid (\d+))?\] )?(?:\[client ([^\]]+)\] )?(.*)$/s;

const ERROR_CODE = /^AH\d{5}(?=:)/;
const REFERER = ', referer: ';

/**
 * Apache 2.2 and 2.4 error log lines. The level may carry a module (`[core:error]`) and a trace
 * depth (`trace3`, stored as debug; the word stays in `log.level`). Microseconds are kept as a
 * fraction of a millisecond. The message starts after the bracketed header, AH code included.
 */
export const apacheError: LogFormat = {
  name: 'apache-error',
  description: 'Apache error log, 2.2 and 2.4 ([date] [module:level] [pid:tid] [client] message)',
  sniff: (line) => line[0] === '[' && line[4] === ' ' && line[8] === ' ',
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const match = APACHE_ERROR.exec(line);
    if (!match) return undefined;
    const ts = apacheErrorDateToMs(match[1], context.utcOffsetMinutes);
    const level = levelFromWord(match[3].replace(/\d$/, ''));
    if (ts === undefined || level === undefined) return undefined;
    const message = match[7];
    const fields: Record<string, unknown> = { 'log.level': match[3] };
    if (match[2] !== undefined) fields['apache.error.module'] = match[2];
    if (match[4] !== undefined) fields['process.pid'] = Number(match[4]);
    if (match[5] !== undefined) fields['process.thread.id'] = integer(match[5]);
    if (match[6] !== undefined) {
      const client = splitHostPort(match[6]);
      setClient(fields, client.host);
      if (client.port !== undefined) fields['client.port'] = client.port;
    }
    const code = ERROR_CODE.exec(message);
    if (code) fields['error.code'] = code[0];
    const referer = message.lastIndexOf(REFERER);
    if (referer !== -1) fields['http.request.referrer'] = message.slice(referer + REFERER.length);
    return {
      ts,
      level,
      message,
      host: context.host ?? null,
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields,
      parseError: null,
    };
  },
};

/** Thread ids are 64-bit: keep the digits when a number would round them. */
function integer(digits: string): number | string {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : digits;
}
