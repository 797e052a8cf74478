import type {
  AggregateResponse,
  AnalyticsSummary,
  CreateSavedSearchRequest,
  ExportFormat,
  HistogramResponse,
  LogLevelName,
  LogRecordDetail,
  LogSearchResponse,
  SavedSearch,
  SlowestEndpointsResponse,
  UpdateSavedSearchRequest,
} from '@app/contracts';
import { request, saveBlob, toQuery } from './client';

/** Rows per page of search results. */
export const PAGE_SIZE = 100;

/**
 * The filters every log endpoint takes. Times are ISO 8601 (the search endpoint takes no relative
 * times, so the dashboard resolves them once per search and every panel shows the same range).
 */
export interface LogQuery {
  q: string;
  from: string;
  to: string;
  levels: LogLevelName[];
  sources: string[];
  hosts?: string[];
}

function filterParams(query: LogQuery) {
  return {
    q: query.q.trim(),
    from: query.from,
    to: query.to,
    level: query.levels,
    source: query.sources,
    host: query.hosts ?? [],
  };
}

export function searchLogs(
  query: LogQuery,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<LogSearchResponse> {
  return request<LogSearchResponse>(
    `/api/v1/logs${toQuery({ ...filterParams(query), limit: PAGE_SIZE, cursor })}`,
    { signal },
  );
}

export function getLog(id: string, signal?: AbortSignal): Promise<LogRecordDetail> {
  return request<LogRecordDetail>(`/api/v1/logs/${encodeURIComponent(id)}`, { signal });
}

export function getHistogram(
  query: LogQuery,
  options: { interval?: string; split?: boolean } = {},
  signal?: AbortSignal,
): Promise<HistogramResponse> {
  return request<HistogramResponse>(
    `/api/v1/logs/histogram${toQuery({
      ...filterParams(query),
      interval: options.interval ?? 'auto',
      split: options.split === false ? undefined : 'level',
    })}`,
    { signal },
  );
}

export function getAggregate(
  query: LogQuery,
  options: { groupBy: string; metric?: string; field?: string; limit?: number },
  signal?: AbortSignal,
): Promise<AggregateResponse> {
  return request<AggregateResponse>(
    `/api/v1/logs/aggregate${toQuery({ ...filterParams(query), ...options })}`,
    { signal },
  );
}

export function getSummary(query: LogQuery, signal?: AbortSignal): Promise<AnalyticsSummary> {
  return request<AnalyticsSummary>(`/api/v1/analytics/summary${toQuery(filterParams(query))}`, {
    signal,
  });
}

export function getSlowestEndpoints(
  query: LogQuery,
  limit: number,
  signal?: AbortSignal,
): Promise<SlowestEndpointsResponse> {
  return request<SlowestEndpointsResponse>(
    `/api/v1/analytics/slowest-endpoints${toQuery({ ...filterParams(query), limit })}`,
    { signal },
  );
}

/**
 * Downloads the matching lines. The export needs the bearer token, which a plain link cannot
 * send, so the file is fetched and then saved from memory.
 */
export async function exportLogs(query: LogQuery, format: ExportFormat): Promise<void> {
  const blob = await request<Blob>(
    `/api/v1/logs/export${toQuery({ ...filterParams(query), format })}`,
    { as: 'blob' },
  );
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  saveBlob(blob, `lookout-${stamp}.${format === 'csv' ? 'csv' : 'ndjson'}`);
}

export function listSavedSearches(signal?: AbortSignal): Promise<SavedSearch[]> {
  return request<SavedSearch[]>('/api/v1/saved-searches', { signal });
}

export function createSavedSearch(body: CreateSavedSearchRequest): Promise<SavedSearch> {
  return request<SavedSearch>('/api/v1/saved-searches', { method: 'POST', body });
}

export function updateSavedSearch(
  id: string,
  body: UpdateSavedSearchRequest,
): Promise<SavedSearch> {
  return request<SavedSearch>(`/api/v1/saved-searches/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
  });
}

export function deleteSavedSearch(id: string): Promise<void> {
  return request<void>(`/api/v1/saved-searches/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
