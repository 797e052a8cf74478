import type { ParsedLog } from '../parsed-log';
import {
  accessLog,
  looksLikeAccessLine,
  readAccessLine,
  setClient,
  type AccessLine,
} from './access-log';
import type { FormatContext, LogFormat } from './log-format';

/**
 * Apache's Common Log Format, `%h %l %u %t "%r" %>s %b`, and nothing after it. A line with a
 * referrer and user agent is Combined: configured as common, it falls back to text with a parse
 * error that says so, rather than passing for something it is not.
 */
export const apacheCommon: LogFormat = {
  name: 'apache-common',
  description: 'Apache Common Log Format (%h %l %u %t "%r" %>s %b)',
  sniff: looksLikeAccessLine,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const parts = readAccessLine(line);
    if (!parts || parts.referrer !== undefined || parts.tail.trim() !== '') return undefined;
    return withSingleHost(line, parts, context);
  },
};

/**
 * Apache's Combined Log Format, `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"`. Common
 * lines are read too (a server logs both when formats change), and what a custom format appends
 * after the user agent stays in the message.
 */
export const apacheCombined: LogFormat = {
  name: 'apache-combined',
  description: 'Apache Combined Log Format (Common plus "%{Referer}i" "%{User-agent}i")',
  sniff: looksLikeAccessLine,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const parts = readAccessLine(line);
    return parts && withSingleHost(line, parts, context);
  },
};

function withSingleHost(
  line: string,
  parts: AccessLine,
  context: FormatContext,
): ParsedLog | undefined {
  if (parts.remote.includes(' ')) return undefined;
  const fields: Record<string, unknown> = {};
  setClient(fields, parts.remote);
  return accessLog(line, parts, fields, null, context);
}
