import type {
  RetentionLogPage,
  RetentionPolicy,
  RetentionRun,
  StorageEstimate,
  UpdateRetentionPolicyRequest,
} from '@app/contracts';
import { request, toQuery } from './client';

export function getRetentionPolicy(signal?: AbortSignal): Promise<RetentionPolicy> {
  return request<RetentionPolicy>('/api/v1/retention/policy', { signal });
}

export function updateRetentionPolicy(
  body: UpdateRetentionPolicyRequest,
): Promise<RetentionPolicy> {
  return request<RetentionPolicy>('/api/v1/retention/policy', { method: 'PUT', body });
}

export function getStorageEstimate(signal?: AbortSignal): Promise<StorageEstimate> {
  return request<StorageEstimate>('/api/v1/retention/estimate', { signal });
}

/** Runs retention now; answers once done, or after `wait` seconds with the run in progress. */
export function runRetention(wait = 10): Promise<RetentionRun> {
  return request<RetentionRun>(`/api/v1/retention/run${toQuery({ wait })}`, { method: 'POST' });
}

export function listRetentionRuns(signal?: AbortSignal): Promise<RetentionRun[]> {
  return request<RetentionRun[]>('/api/v1/retention/runs', { signal });
}

export function getRetentionLog(
  params: { before?: string; limit?: number },
  signal?: AbortSignal,
): Promise<RetentionLogPage> {
  return request<RetentionLogPage>(`/api/v1/retention/log${toQuery(params)}`, { signal });
}
