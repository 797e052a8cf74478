import type { ErrorResponse } from '@app/contracts';
import { clearToken, getToken } from '../auth';
import { freshToken, renewSession, SESSION_EXPIRED } from './session';

/** An HTTP error from the API, with what the 4xx body said. */
export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  /** For an invalid query: 0-based offset of the problem in the query text. */
  readonly position: number | null;
  /** For an invalid query: what the parser expected at `position`. */
  readonly expected: string[];

  constructor(
    status: number,
    message: string,
    details: { position?: number | null; expected?: unknown } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.position = typeof details.position === 'number' ? details.position : null;
    this.expected = Array.isArray(details.expected)
      ? details.expected.map(String)
      : typeof details.expected === 'string'
        ? [details.expected]
        : [];
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  body?: unknown;
  signal?: AbortSignal;
  /** Send the bearer token and sign out on 401 (default true). */
  auth?: boolean;
  /** A 401 means a wrong credential in the body (e.g. the current password), not a lost session. */
  keepSessionOn401?: boolean;
  /** How to read a successful answer (default json; 204 gives undefined). */
  as?: 'json' | 'text' | 'blob';
}

type ErrorBody = Partial<ErrorResponse> & { position?: number; expected?: unknown };

async function toApiError(res: Response): Promise<ApiError> {
  const fallback = `${res.status} ${res.statusText || 'Request failed'}`.trim();
  let text: string;
  try {
    text = await res.text();
  } catch {
    return new ApiError(res.status, fallback);
  }
  try {
    const body = JSON.parse(text) as ErrorBody;
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    if (typeof message === 'string' && message.trim() !== '') {
      return new ApiError(res.status, message, body);
    }
  } catch {
    // Not JSON (a proxy error page, for instance): use the text only when it is short and plain.
    const plain = text.trim();
    if (plain !== '' && plain.length <= 200 && !plain.startsWith('<')) {
      return new ApiError(res.status, plain);
    }
  }
  return new ApiError(res.status, fallback);
}

/** Query string from a plain object: arrays repeat the key, empty values are left out. */
export function toQuery(
  params: Record<string, string | number | boolean | readonly string[] | null | undefined>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, item);
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, auth = true, as = 'json', keepSessionOn401 } = options;
  const headers = new Headers({ Accept: as === 'json' ? 'application/json' : '*/*' });
  if (body !== undefined) headers.set('Content-Type', 'application/json');

  const send = async (token: string | null): Promise<Response> => {
    if (token !== null) headers.set('Authorization', `Bearer ${token}`);
    try {
      return await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'Cannot reach the Lookout API. Is the server running?');
    }
  };

  let token: string | null = null;
  if (auth) {
    token = await freshToken();
    if (token === null) throw new ApiError(401, 'Not signed in.');
  }
  let res = await send(token);

  if (res.status === 401 && auth && !keepSessionOn401) {
    // The access token may have expired in flight: renew once and try again.
    const renewed = await renewSession();
    if (renewed !== null) res = await send(renewed);
    if (res.status === 401) {
      // Ignore a late 401 for a token that was already replaced by a new login.
      if (getToken() === token || getToken() === renewed) clearToken(SESSION_EXPIRED);
      throw new ApiError(401, SESSION_EXPIRED);
    }
  }
  if (!res.ok) throw await toApiError(res);
  if (res.status === 204) return undefined as T;
  if (as === 'text') return (await res.text()) as T;
  if (as === 'blob') return (await res.blob()) as T;
  return (await res.json()) as T;
}

/** Saves a blob as a file through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
