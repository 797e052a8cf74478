import type { ParsedLog } from '../parsed-log';
import { accessLog, looksLikeAccessLine, readAccessLine, setClient } from './access-log';
import { splitHostPort } from './ip-address';
import type { FormatContext, LogFormat } from './log-format';

/**
 * Apache's `vhost_combined`, `%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`: the
 * virtual host (with or without port) before the client. Common lines with a vhost are read too.
 */
export const apacheVhost: LogFormat = {
  name: 'apache-vhost',
  description: 'Apache vhost_combined (%v:%p before the Combined Log Format)',
  sniff: looksLikeAccessLine,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const parts = readAccessLine(line);
    if (!parts) return undefined;
    const space = parts.remote.indexOf(' ');
    if (space <= 0 || parts.remote.includes(' ', space + 1)) return undefined;
    const vhost = splitHostPort(parts.remote.slice(0, space));
    const fields: Record<string, unknown> = { 'url.domain': vhost.host };
    if (vhost.port !== undefined) fields['url.port'] = vhost.port;
    setClient(fields, parts.remote.slice(space + 1));
    return accessLog(line, parts, fields, null, context);
  },
};
