import { DEFAULT_LEVEL, levelFromWord } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { nginxErrorDateToMs } from '../timestamps';
import { requestFields, setClient, type RequestColumns } from './access-log';
import { splitHostPort } from './ip-address';
import type { FormatContext, LogFormat } from './log-format';

// `2016/10/25 14:49:34 [error] 54053#0: *1 message`; the `*connection` part is absent for events
// outside a connection. `s`: a multiline rule may have joined continuation lines into the message.
const NGINX_ERROR =
  /^(\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2}) \[([a-z]+)\] (\d+)#(\d+): (?:\*(\d+) )?(.*)$/s;

// The context nginx appends to a message: `, client: 1.2.3.4, server: x, request: "GET / HTTP/1.1",
// upstream: "http://…", host: "x", referrer: "…"`. Quoted values may hold `\"`.
const CONTEXT_ITEM = /, ([a-z]+): ("[^"\\]*(?:\\.[^"\\]*)*"|[^,"]*)/y;

/**
 * nginx error log lines. The message is the text after `pid#tid: *cid` (the time, level and ids
 * are columns and fields); the context nginx appends (client, server, request, upstream, host,
 * referrer) also goes to fields, and the request to the method and path columns.
 */
export const nginxError: LogFormat = {
  name: 'nginx-error',
  description: 'nginx error log (YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message, context)',
  sniff: (line) => line[4] === '/' && line[7] === '/' && line[10] === ' ' && line[20] === '[',
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const match = NGINX_ERROR.exec(line);
    if (!match) return undefined;
    const ts = nginxErrorDateToMs(match[1], context.utcOffsetMinutes);
    if (ts === undefined) return undefined;
    const message = match[6];
    const fields: Record<string, unknown> = {
      'process.pid': Number(match[3]),
      'process.thread.id': Number(match[4]),
    };
    if (match[5] !== undefined) fields['nginx.connection'] = Number(match[5]);
    const request = readContext(message, fields);
    return {
      ts,
      level: levelFromWord(match[2]) ?? DEFAULT_LEVEL,
      message,
      host: context.host ?? null,
      statusCode: null,
      method: request.method,
      path: request.path,
      latencyMs: null,
      fields,
      parseError: null,
    };
  },
};

/** Reads the trailing `, client: …` context into fields; returns the request's method and path. */
function readContext(message: string, fields: Record<string, unknown>): RequestColumns {
  const none: RequestColumns = { method: null, path: null };
  const start = message.lastIndexOf(', client: ');
  if (start === -1) return none;
  const items: [string, string][] = [];
  let end = start;
  CONTEXT_ITEM.lastIndex = start;
  let match: RegExpExecArray | null;
  while ((match = CONTEXT_ITEM.exec(message)) !== null) {
    const value = match[2].startsWith('"') ? match[2].slice(1, -1) : match[2];
    items.push([match[1], value]);
    end = CONTEXT_ITEM.lastIndex;
  }
  // Only a context that runs to the end of the message is one; else it is message text.
  if (end !== message.length) return none;
  let request = none;
  for (const [key, value] of items) {
    if (key === 'client') setClient(fields, value);
    else if (key === 'server') fields['nginx.server_name'] = value;
    else if (key === 'request') request = requestFields(fields, value);
    else if (key === 'upstream') fields['nginx.upstream.addr'] = value;
    else if (key === 'referrer') fields['http.request.referrer'] = value;
    else if (key === 'host') {
      const host = splitHostPort(value);
      fields['url.domain'] = host.host;
      if (host.port !== undefined) fields['url.port'] = host.port;
    } else fields[`nginx.${key}`] = value;
  }
  return request;
}
