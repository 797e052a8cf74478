import { DEFAULT_LEVEL, levelFromStatus } from '../levels';
import type { ParsedLog } from '../parsed-log';
import { httpDateToMs } from '../timestamps';
import { isIp } from './ip-address';
import type { FormatContext } from './log-format';

// A double-quoted field where `\"` may appear inside (Apache escapes quotes that way; nginx writes
// `\x22`). Written unrolled, `[^"\\]*(?:\\.[^"\\]*)*`, so that it matches in linear time.
const QUOTED = String.raw`"([^"\\]*(?:\\.[^"\\]*)*)"`;

/**
 * The NCSA line shared by nginx and Apache: `REMOTE IDENT USER [TIME] "REQUEST" STATUS BYTES`,
 * then optionally ` "REFERRER" "USER-AGENT"`, then whatever a custom format appends. REMOTE is
 * what comes before the last two tokens ahead of `[`: one address, a vhost and an address, or an
 * X-Forwarded-For list; the caller reads it. Anchored, no nested quantifiers: backtracking is
 * limited to the two tokens before `[`.
 */
const ACCESS_LINE = new RegExp(
  String.raw`^([^[]+) (\S+) (\S+) \[([^\]]+)\] ${QUOTED} (\d{3}) (\d+|-)(?: ${QUOTED} ${QUOTED})?( .*)?$`,
  's',
);

/** The raw text of each part of an access line. */
export interface AccessLine {
  remote: string;
  ident: string;
  user: string;
  time: string;
  request: string;
  status: string;
  bytes: string;
  referrer: string | undefined;
  userAgent: string | undefined;
  /** Anything after the user agent (or after the bytes in the Common Log Format), with its leading space. */
  tail: string;
}

export function readAccessLine(line: string): AccessLine | undefined {
  const match = ACCESS_LINE.exec(line);
  if (!match) return undefined;
  return {
    remote: match[1],
    ident: match[2],
    user: match[3],
    time: match[4],
    request: match[5],
    status: match[6],
    bytes: match[7],
    referrer: match[8],
    userAgent: match[9],
    tail: match[10] ?? '',
  };
}

/** Cheap pre-check for auto-detect: the ` [time] "` of an access line. */
export function looksLikeAccessLine(line: string): boolean {
  const open = line.indexOf(' [');
  return open > 0 && line.indexOf('] "', open) > open;
}

/** An HTTP request line: `GET /a?b HTTP/1.1`, `GET /` (HTTP/0.9), or junk such as `-`. */
export interface RequestLine {
  method: string;
  target: string;
  version?: string;
}

export function readRequestLine(request: string): RequestLine | undefined {
  const firstSpace = request.indexOf(' ');
  if (firstSpace <= 0) return undefined;
  const lastSpace = request.lastIndexOf(' ');
  if (lastSpace > firstSpace && request.startsWith('HTTP/', lastSpace + 1)) {
    return {
      method: request.slice(0, firstSpace),
      target: request.slice(firstSpace + 1, lastSpace),
      version: request.slice(lastSpace + 6),
    };
  }
  return { method: request.slice(0, firstSpace), target: request.slice(firstSpace + 1) };
}

/**
 * The path and query of a request target: itself in origin form (`/a?b`), the part after the
 * authority in absolute form (`http://host/a?b`, as proxies receive it).
 */
export function pathOfTarget(target: string): string {
  if (target.startsWith('/')) return target;
  const scheme = target.indexOf('://');
  if (scheme > 0 && scheme < 10) {
    const slash = target.indexOf('/', scheme + 3);
    return slash === -1 ? '/' : target.slice(slash);
  }
  return target;
}

/** Where the remote address of a line goes: `client.ip` for an IP, `client.address` otherwise. */
export function setClient(fields: Record<string, unknown>, address: string): void {
  fields[isIp(address) ? 'client.ip' : 'client.address'] = address;
}

/** A number field from digits, or nothing for nginx/Apache's `-`. */
export function setCount(fields: Record<string, unknown>, key: string, text: string): void {
  if (text !== '-' && text !== '') fields[key] = Number(text);
}

/** A text field unless it is `-` or empty, which access logs write for "none". */
export function setText(fields: Record<string, unknown>, key: string, text: string | undefined) {
  if (text !== undefined && text !== '-' && text !== '') fields[key] = text;
}

export interface RequestColumns {
  method: string | null;
  path: string | null;
}

/** The request line into `url.original` and `http.version`, and the method and path columns. */
export function requestFields(fields: Record<string, unknown>, request: string): RequestColumns {
  const parsed = readRequestLine(request);
  if (!parsed) return { method: null, path: null };
  fields['url.original'] = parsed.target;
  if (parsed.version !== undefined) fields['http.version'] = parsed.version;
  return { method: parsed.method, path: pathOfTarget(parsed.target) };
}

/**
 * The row for an access line: time from HTTPDATE, the whole line as message, level from the
 * status (5xx error, 4xx warning, else info). `fields` already holds what the caller read from
 * the remote part and the tail.
 */
export function accessLog(
  line: string,
  parts: AccessLine,
  fields: Record<string, unknown>,
  latencyMs: number | null,
  context: FormatContext,
): ParsedLog | undefined {
  const ts = httpDateToMs(parts.time, context.utcOffsetMinutes);
  if (ts === undefined) return undefined;
  const statusCode = Number(parts.status);
  setText(fields, 'user.name', parts.user);
  const { method, path } = requestFields(fields, parts.request);
  setCount(fields, 'http.response.body.bytes', parts.bytes);
  setText(fields, 'http.request.referrer', parts.referrer);
  setText(fields, 'user_agent.original', parts.userAgent);
  return {
    ts,
    level: levelFromStatus(statusCode) ?? DEFAULT_LEVEL,
    message: line,
    host: context.host ?? null,
    statusCode,
    method,
    path,
    latencyMs,
    fields,
    parseError: null,
  };
}
