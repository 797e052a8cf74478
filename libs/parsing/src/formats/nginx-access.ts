import type { ParsedLog } from '../parsed-log';
import { accessLog, looksLikeAccessLine, readAccessLine, setClient, setText } from './access-log';
import { secondsListToMs, secondsToMs } from './durations';
import { isInternalAddress, isIp, splitHostPort } from './ip-address';
import type { FormatContext, LogFormat } from './log-format';

/**
 * nginx access lines: `combined` (and the `main` format, which adds `"$http_x_forwarded_for"`),
 * optionally led by `$host` or `$host:$server_port`, with an X-Forwarded-For list in place of
 * `$remote_addr`, request and upstream times appended (` 0.123 0.120` or
 * `rt=0.123 uct="0.001" urt="0.120"`), and the Kubernetes ingress-nginx format.
 * nginx-specific fields are named after nginx's variables under `nginx.`; times are turned into
 * milliseconds and say so (`nginx.upstream.response_time_ms`).
 */
export const nginxAccess: LogFormat = {
  name: 'nginx-access',
  description:
    'nginx access log (combined, vhost prefix, X-Forwarded-For lists, request/upstream times, ingress-nginx)',
  sniff: looksLikeAccessLine,
  parse(line: string, context: FormatContext): ParsedLog | undefined {
    const parts = readAccessLine(line);
    if (!parts || parts.ident !== '-') return undefined;
    const fields: Record<string, unknown> = {};
    if (!readRemote(parts.remote, fields)) return undefined;
    let latencyMs: number | null = null;
    if (parts.tail !== '') {
      const ingress = INGRESS_TAIL.exec(parts.tail);
      latencyMs = ingress ? readIngressTail(ingress, fields) : readTail(parts.tail, fields);
    }
    return accessLog(line, parts, fields, latencyMs, context);
  },
};

const ADDRESS_SEPARATORS = /[\s",]+/;

/**
 * `$remote_addr`, possibly led by a vhost and possibly a list (`10.0.0.2, 10.0.0.1`, or a quoted
 * list followed by the proxy's address). The first token is a vhost when more follows it and it
 * does not end a list item, as Filebeat's grok reads it. The client is the first address that is
 * not internal: X-Forwarded-For names the original client first, and a private address there is
 * one only the client's own network knows. All of them go to `client.ips`.
 */
function readRemote(remote: string, fields: Record<string, unknown>): boolean {
  if (!remote.includes(' ') && !remote.includes(',')) {
    setClient(fields, remote);
    return true;
  }
  let list = remote;
  const space = remote.indexOf(' ');
  if (remote[0] !== '"' && space > 0 && remote[space - 1] !== ',') {
    const vhost = splitHostPort(remote.slice(0, space));
    fields['url.domain'] = vhost.host;
    if (vhost.port !== undefined) fields['url.port'] = vhost.port;
    list = remote.slice(space + 1);
  }
  const addresses = list.split(ADDRESS_SEPARATORS).filter((address) => address !== '');
  if (addresses.length === 0) return false;
  setClient(fields, addresses.find((address) => !isInternalAddress(address)) ?? addresses[0]);
  if (addresses.length > 1) fields['client.ips'] = addresses;
  return true;
}

// ingress-nginx: ` $request_length $request_time [$proxy_upstream_name]
// [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
// $upstream_response_time $upstream_status $req_id`.
const INGRESS_TAIL = /^ (\d+) (\d+(?:\.\d+)?|-) \[([^\]]*)\] \[([^\]]*)\] (.+)$/s;

/** Fields of an ingress-nginx tail; returns the request time in ms. */
function readIngressTail(match: RegExpExecArray, fields: Record<string, unknown>): number | null {
  fields['http.request.bytes'] = Number(match[1]);
  setText(fields, 'nginx.upstream.name', match[3]);
  setText(fields, 'nginx.upstream.alternative_name', match[4]);
  // One value per upstream try, `, `-separated: join list items before splitting the columns.
  const groups = joinListItems(match[5].split(' '));
  if (groups.length === 5) {
    const [addr, length, time, status, id] = groups;
    readUpstreamAddr(addr, fields);
    setLastCount(fields, 'nginx.upstream.response_length', length);
    const timeMs = secondsListToMs(time);
    if (timeMs !== undefined) fields['nginx.upstream.response_time_ms'] = timeMs;
    setLastCount(fields, 'nginx.upstream.status', status);
    setText(fields, 'http.request.id', id);
  }
  return secondsToMs(match[2]) ?? null;
}

/** Space-separated tokens, where `a, b` and `a : b` (several upstream tries) stay one item. */
function joinListItems(tokens: string[]): string[] {
  const items: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const previous = items[items.length - 1];
    if (previous !== undefined && (previous.endsWith(',') || previous.endsWith(' :'))) {
      items[items.length - 1] = `${previous} ${tokens[i]}`;
    } else if (tokens[i] === ':' && previous !== undefined) {
      items[items.length - 1] = `${previous} :`;
    } else {
      items.push(tokens[i]);
    }
  }
  return items;
}

/** `$upstream_addr` as logged, and the IP and port of the last try (the one that answered). */
function readUpstreamAddr(addr: string, fields: Record<string, unknown>): void {
  if (addr === '-') return;
  fields['nginx.upstream.addr'] = addr;
  const last = splitHostPort(addr.slice(lastItemStart(addr)));
  if (isIp(last.host)) {
    fields['nginx.upstream.ip'] = last.host;
    if (last.port !== undefined) fields['nginx.upstream.port'] = last.port;
  }
}

/** The last number of a per-try list (`61, 100` → 100; `200, -` → 200). */
function setLastCount(fields: Record<string, unknown>, key: string, list: string): void {
  const items = list.split(/[,:] ?| /);
  for (let i = items.length - 1; i >= 0; i--) {
    if (/^\d+$/.test(items[i])) {
      fields[key] = Number(items[i]);
      return;
    }
  }
}

function lastItemStart(list: string): number {
  const comma = Math.max(list.lastIndexOf(', '), list.lastIndexOf(' : '));
  if (comma === -1) return 0;
  return list[comma] === ',' ? comma + 2 : comma + 3;
}

/** `key=value` time keys nginx configurations use, and where they go. */
const TIME_KEYS: Record<string, string> = {
  rt: 'latency',
  request_time: 'latency',
  urt: 'nginx.upstream.response_time_ms',
  upstream_response_time: 'nginx.upstream.response_time_ms',
  uct: 'nginx.upstream.connect_time_ms',
  upstream_connect_time: 'nginx.upstream.connect_time_ms',
  uht: 'nginx.upstream.header_time_ms',
  upstream_header_time: 'nginx.upstream.header_time_ms',
};

const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * What a custom `log_format` appends after the user agent: `"$http_x_forwarded_for"`, bare
 * `$request_time [$upstream_response_time]`, or `key=value` pairs (values may be quoted). Reading
 * stops at the first token it cannot place; the whole line stays in the message anyway.
 * Returns the request time in ms.
 */
function readTail(tail: string, fields: Record<string, unknown>): number | null {
  let latencyMs: number | null = null;
  let quoted = 0;
  let bare = 0;
  let pos = 0;
  while (pos < tail.length) {
    while (tail[pos] === ' ') pos++;
    if (pos >= tail.length) break;
    if (tail[pos] === '"') {
      const end = quoteEnd(tail, pos);
      if (end === -1) break;
      if (++quoted === 1) setText(fields, 'nginx.http_x_forwarded_for', tail.slice(pos + 1, end));
      pos = end + 1;
      continue;
    }
    let end = tokenEnd(tail, pos);
    const equals = tail.indexOf('=', pos);
    if (equals > pos && equals < end) {
      const key = tail.slice(pos, equals);
      let value: string;
      if (tail[equals + 1] === '"') {
        end = quoteEnd(tail, equals + 1);
        if (end === -1) break;
        value = tail.slice(equals + 2, end);
        end++;
      } else {
        value = tail.slice(equals + 1, end);
      }
      const target = TIME_KEYS[key];
      if (target === 'latency') latencyMs = secondsToMs(value) ?? latencyMs;
      else if (target !== undefined) setMs(fields, target, value);
      else if (value !== '-') fields[`nginx.${key}`] = NUMBER.test(value) ? Number(value) : value;
      pos = end;
      continue;
    }
    // A bare list (`0.100, 0.004`) runs on while items end with a comma.
    while (tail[end - 1] === ',' && end < tail.length) end = tokenEnd(tail, end + 1);
    const token = tail.slice(pos, end);
    bare++;
    if (bare === 1) {
      const ms = secondsToMs(token);
      if (ms === undefined) break;
      latencyMs = ms;
    } else if (bare === 2) {
      setMs(fields, 'nginx.upstream.response_time_ms', token);
    } else {
      break;
    }
    pos = end;
  }
  return latencyMs;
}

function setMs(fields: Record<string, unknown>, key: string, seconds: string): void {
  const ms = secondsListToMs(seconds);
  if (ms !== undefined) fields[key] = ms;
}

function tokenEnd(text: string, from: number): number {
  const space = text.indexOf(' ', from);
  return space === -1 ? text.length : space;
}

/** The index of the quote closing the one at `open`, skipping `\"`; -1 when there is none. */
function quoteEnd(text: string, open: number): number {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}
