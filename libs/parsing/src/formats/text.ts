import type { ParsedLog } from '../parsed-log';
import { parseText } from '../parse-line';
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
    return parseText(line, context);
  },
} satisfies LogFormat;
