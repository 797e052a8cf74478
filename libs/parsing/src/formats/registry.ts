import type { ParsedLog } from '../parsed-log';
import { apacheCombined, apacheCommon } from './apache-access';
import { apacheError } from './apache-error';
import { apacheSslRequest } from './apache-ssl-request';
import { apacheVhost } from './apache-vhost';
import { json } from './json';
import type { FormatContext, LogFormat } from './log-format';
import { logfmt } from './logfmt';
import { nginxAccess } from './nginx-access';
import { nginxError } from './nginx-error';
import { syslog } from './syslog';
import { text } from './text';

/**
 * Every built-in format, in auto-detect order: the most specific shapes first, text last. A new
 * format is one file plus one line here. Apache Common comes before nginx so that strict CLF lines
 * are named as such; nginx-access reads every combined variant (vhost, X-Forwarded-For lists,
 * appended times), so the Apache combined and vhost formats are only reached when configured —
 * their lines are the same text and give the same result.
 */
export const BUILT_IN_FORMATS: readonly LogFormat[] = [
  json,
  syslog,
  apacheError,
  apacheSslRequest,
  nginxError,
  apacheCommon,
  nginxAccess,
  apacheCombined,
  apacheVhost,
  logfmt,
  text,
];

export const FORMAT_NAMES: readonly string[] = BUILT_IN_FORMATS.map((format) => format.name);

const BY_NAME = new Map(BUILT_IN_FORMATS.map((format) => [format.name, format]));

export function findFormat(name: string): LogFormat | undefined {
  return BY_NAME.get(name);
}

/**
 * The first format whose sniff passes and whose parser accepts the line; text when none does.
 * Never throws: a parser that throws on a hostile line is skipped like one that declines it.
 */
export function detectFormat(
  line: string,
  context: FormatContext,
): { format: string; parsed: ParsedLog } {
  for (const format of BUILT_IN_FORMATS) {
    if (format === text || !format.sniff(line)) continue;
    const parsed = tryParse(format, line, context);
    if (parsed) return { format: format.name, parsed };
  }
  return { format: text.name, parsed: text.parse(line, context) };
}

/**
 * The line read with the named format, or as text with a parse error saying it did not match (a
 * line is never dropped).
 */
export function parseWithFormat(name: string, line: string, context: FormatContext): ParsedLog {
  const format = findFormat(name);
  const parsed = format && tryParse(format, line, context);
  if (parsed) return parsed;
  return {
    ...text.parse(line, context),
    parseError: format ? `line does not match format "${name}"` : `unknown format "${name}"`,
  };
}

function tryParse(format: LogFormat, line: string, context: FormatContext): ParsedLog | undefined {
  try {
    return format.parse(line, context);
  } catch {
    return undefined;
  }
}
