import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

/** One log event: a line, or several joined with `\n` by a multiline rule. */
export interface ShipEvent {
  text: string;
  path: string;
}

export type SendResult =
  | { kind: 'accepted' }
  /** Worth trying again later: network error, timeout, 408, 429, 5xx. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  | { kind: 'too-large' }
  /** Any other answer: retrying the same request cannot help. */
  | { kind: 'rejected'; reason: string };

const REQUEST_TIMEOUT_MS = 30_000;
const MAX_RETRY_AFTER_MS = 10 * 60_000;

function isJsonObject(text: string): boolean {
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `text/plain`, one event per line, while every event is a single line. A multi-line event would
 * be cut apart there, so such a batch goes as NDJSON: JSON lines as they are, other events as
 * `{"message": …, "log.file.path": …}` (the Elastic Common Schema name: `path` would be read by
 * the server as an HTTP request path).
 */
export function encodeEvents(events: ShipEvent[]): { body: string; contentType: string } {
  if (!events.some((event) => event.text.includes('\n'))) {
    return { body: events.map((event) => `${event.text}\n`).join(''), contentType: 'text/plain' };
  }
  const lines = events.map((event) =>
    !event.text.includes('\n') && isJsonObject(event.text)
      ? event.text
      : JSON.stringify({ message: event.text, 'log.file.path': event.path }),
  );
  return { body: `${lines.join('\n')}\n`, contentType: 'application/x-ndjson' };
}

/** `Retry-After` in seconds or as an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  return Number.isNaN(ms) ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

/** The `message` of the server's JSON error, or the start of whatever it sent. */
function serverMessage(body: string): string {
  try {
    const { message } = JSON.parse(body) as { message?: unknown };
    if (message !== undefined) return Array.isArray(message) ? message.join('; ') : String(message);
  } catch {
    // not JSON
  }
  return body.slice(0, 500) || '(empty body)';
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

/** POSTs events to the ingest endpoint and sorts the answer into what the shipper does next. */
export class IngestClient {
  private readonly endpoint: string;

  constructor(
    private readonly options: { url: string; apiKey: string; source: string; gzip: boolean },
  ) {
    this.endpoint = `${options.url}/api/v1/ingest?source=${encodeURIComponent(options.source)}`;
  }

  async send(events: ShipEvent[]): Promise<SendResult> {
    const { body, contentType } = encodeEvents(events);
    const headers: Record<string, string> = {
      'content-type': contentType,
      authorization: `Bearer ${this.options.apiKey}`,
    };
    let payload: string | Buffer = body;
    if (this.options.gzip) {
      payload = await gzip(body);
      headers['content-encoding'] = 'gzip';
    }
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: payload,
        redirect: 'manual',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      text = await response.text();
    } catch (error) {
      return { kind: 'retry', reason: networkReason(error) };
    }
    const { status } = response;
    if (status >= 200 && status < 300) return { kind: 'accepted' };
    if (status === 413) return { kind: 'too-large' };
    const reason = `HTTP ${status}: ${serverMessage(text)}`;
    if (status === 408 || status === 429 || status >= 500) {
      return {
        kind: 'retry',
        reason,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      };
    }
    return { kind: 'rejected', reason };
  }
}
