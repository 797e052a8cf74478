import { DEFAULT_LEVEL, levelFromText } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { leadingTimestampInZone } from '../timestamps';
import type { FormatContext, LogFormat } from './log-format';

/**
 * Free text, the fallback that reads every line: a leading ISO 8601 time (zone-less ones at the
 * source's offset), a level word near the start, the whole line as message. It never declines a
 * line (`satisfies`, so its parse keeps the non-optional return type).
 */
export const text = {
  name: 'text',
  description: 'Plain text: leading ISO 8601 timestamp and level word when present',
  sniff: () => true,
  parse(line: string, context: FormatContext): ParsedLog {
    return {
      ts: leadingTimestampInZone(line, context.utcOffsetMinutes ?? 0) ?? context.receivedAt,
      level: levelFromText(line) ?? DEFAULT_LEVEL,
      message: line,
      host: context.host ?? null,
      statusCode: null,
      method: null,
      path: null,
      latencyMs: null,
      fields: {},
      parseError: null,
    };
  },
} satisfies LogFormat;
