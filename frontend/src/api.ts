import type {
  ErrorResponse,
  LoginRequest,
  LoginResponse,
  LogLevelName,
  LogRecordDetail,
  LogSearchResponse,
} from '@app/contracts';
import { clearToken, getToken } from './auth';

/** Rows per page of the log table. */
export const PAGE_SIZE = 100;

export class ApiError extends Error {
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
  /** Send the bearer token and sign out on 401 (default true). */
  auth?: boolean;
}

const SESSION_EXPIRED = 'Your session has expired. Please sign in again.';

async function errorMessage(res: Response): Promise<string> {
  const fallback = `${res.status} ${res.statusText || 'Request failed'}`.trim();
  let text: string;
  try {
    text = await res.text();
  } catch {
    return fallback;
  }
  try {
    const body = JSON.parse(text) as Partial<ErrorResponse>;
    const message = Array.isArray(body.message) ? body.message.join('; ') : body.message;
    if (typeof message === 'string' && message.trim() !== '') return message;
  } catch {
    // Not JSON (a proxy error page, for instance): use the text only when it is short and plain.
    const plain = text.trim();
    if (plain !== '' && plain.length <= 200 && !plain.startsWith('<')) return plain;
  }
  return fallback;
}

async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, auth = true } = options;
  const headers = new Headers({ Accept: 'application/json' });
  if (body !== undefined) headers.set('Content-Type', 'application/json');

  const token = auth ? getToken() : null;
  if (auth) {
    if (token === null) throw new ApiError(401, 'Not signed in.');
    headers.set('Authorization', `Bearer ${token}`);
  }

  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'Cannot reach the Lookout API. Is the server running?');
  }

  if (res.status === 401 && auth) {
    // Ignore a late 401 for a token that was already replaced by a new login.
    if (getToken() === token) clearToken(SESSION_EXPIRED);
    throw new ApiError(401, SESSION_EXPIRED);
  }
  if (!res.ok) throw new ApiError(res.status, await errorMessage(res));
  return (await res.json()) as T;
}

export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return request<LoginResponse>('/api/v1/auth/login', {
    method: 'POST',
    body: credentials,
    auth: false,
  });
}

export interface LogFilters {
  /** Free-text search. */
  q: string;
  /** Empty means every level. */
  levels: LogLevelName[];
  source: string;
  host: string;
}

export const NO_FILTERS: LogFilters = { q: '', levels: [], source: '', host: '' };

export function hasFilters(filters: LogFilters): boolean {
  return (
    filters.q.trim() !== '' ||
    filters.levels.length > 0 ||
    filters.source.trim() !== '' ||
    filters.host.trim() !== ''
  );
}

/** Query string of GET /api/v1/logs; empty filters are left out, `level` repeats. */
export function logSearchParams(filters: LogFilters, cursor: string | null): URLSearchParams {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const q = filters.q.trim();
  if (q) params.set('q', q);
  for (const level of filters.levels) params.append('level', level);
  const source = filters.source.trim();
  if (source) params.set('source', source);
  const host = filters.host.trim();
  if (host) params.set('host', host);
  if (cursor) params.set('cursor', cursor);
  return params;
}

export function searchLogs(
  filters: LogFilters,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<LogSearchResponse> {
  return request<LogSearchResponse>(`/api/v1/logs?${logSearchParams(filters, cursor)}`, {
    signal,
  });
}

export function getLog(id: string, signal?: AbortSignal): Promise<LogRecordDetail> {
  return request<LogRecordDetail>(`/api/v1/logs/${encodeURIComponent(id)}`, { signal });
}
