import { DEFAULT_LEVEL } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { httpDateToMs } from '../timestamps';
import { requestFields, setClient, setCount } from './access-log';
import type { FormatContext, LogFormat } from './log-format';

// `%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b`, the ssl_request_log of mod_ssl's default config.
const SSL_REQUEST = /^\[([^\]]+)\] (\S+) (\S+) (\S+) "([^"\\]*(?:\\.[^"\\]*)*)" (\d+|-)$/;

// `TLSv1.2` → tls 1.2, `SSLv3` → ssl 3.
const PROTOCOL_VERSION = /^(TLS|SSL)v(\d+(?:\.\d+)?)$/;

/** mod_ssl's request log: time, client, TLS protocol and cipher, request and bytes (no status). */
export const apacheSslRequest: LogFormat = {
  name: 'apache-ssl-request',
  description: 'Apache mod_ssl ssl_request_log ([%t] %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x "%r" %b)',
  sniff: (line) => line[0] === '[' && line[3] === '/' && line[7] === '/',
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const match = SSL_REQUEST.exec(line);
    if (!match) return undefined;
    const ts = httpDateToMs(match[1], context.utcOffsetMinutes);
    if (ts === undefined) return undefined;
    const fields: Record<string, unknown> = {};
    setClient(fields, match[2]);
    const protocol = PROTOCOL_VERSION.exec(match[3]);
    if (protocol) {
      fields['tls.version_protocol'] = protocol[1].toLowerCase();
      fields['tls.version'] = protocol[2];
    }
    if (match[4] !== '-') fields['tls.cipher'] = match[4];
    const { method, path } = requestFields(fields, match[5]);
    setCount(fields, 'http.response.body.bytes', match[6]);
    return {
      ts,
      level: DEFAULT_LEVEL,
      message: line,
      host: context.host ?? null,
      statusCode: null,
      method,
      path,
      latencyMs: null,
      fields,
      parseError: null,
    };
  },
};
