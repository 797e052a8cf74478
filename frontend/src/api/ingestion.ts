import { request } from './client';

/*
 * Sources, pipelines and the parser playground. These shapes are the api's DTOs
 * (libs/ingestion/src/sources/sources.dto.ts, pipelines/pipelines.dto.ts), which are not in
 * libs/contracts yet; they are written out here until they move there.
 */

export type SourceType = 'file' | 'syslog' | 'http';
export const SOURCE_TYPES: readonly SourceType[] = ['file', 'syslog', 'http'];

export interface TailedFile {
  path: string;
  /** Bytes stored so far. */
  storedOffset: number;
  size: number | null;
}

export interface Source {
  id: string;
  name: string;
  type: SourceType;
  settings: Record<string, unknown>;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  files?: TailedFile[];
}

export interface SourceInput {
  name: string;
  type: SourceType;
  settings?: Record<string, unknown>;
  enabled?: boolean;
}

export type PipelineStep = Record<string, unknown>;

export interface Pipeline {
  id: string;
  name: string;
  source: string;
  steps: PipelineStep[];
  timeZone: string | null;
  enabled: boolean;
  updatedAt: string;
}

export interface PipelineInput {
  name: string;
  source: string;
  steps: PipelineStep[];
  timeZone?: string | null;
  enabled?: boolean;
}

export interface GrokPattern {
  name: string;
  pattern: string;
  description?: string | null;
}

export interface ParserTestRequest {
  lines: string[];
  format?: string;
  pattern?: string;
  steps?: PipelineStep[];
  timeZone?: string;
}

export interface ParserTestLine {
  /** 1-based. */
  line: number;
  /** What matched: format:<name>, pattern:steps[i], auto:<format>. */
  matched: string;
  /** False when a drop step removed the line. */
  kept: boolean;
  /** Columns and fields as they would be stored. */
  result: Record<string, unknown> | null;
  errors: string[];
  steps: Record<string, unknown>[];
  micros: number;
}

export function listSources(signal?: AbortSignal): Promise<Source[]> {
  return request<Source[]>('/api/v1/sources', { signal });
}

export function createSource(body: SourceInput): Promise<Source> {
  return request<Source>('/api/v1/sources', { method: 'POST', body });
}

export function updateSource(id: string, body: Partial<SourceInput>): Promise<Source> {
  return request<Source>(`/api/v1/sources/${encodeURIComponent(id)}`, { method: 'PATCH', body });
}

export function deleteSource(id: string): Promise<void> {
  return request<void>(`/api/v1/sources/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function listPipelines(signal?: AbortSignal): Promise<Pipeline[]> {
  return request<Pipeline[]>('/api/v1/pipelines', { signal });
}

export function createPipeline(body: PipelineInput): Promise<Pipeline> {
  return request<Pipeline>('/api/v1/pipelines', { method: 'POST', body });
}

export function updatePipeline(id: string, body: Partial<PipelineInput>): Promise<Pipeline> {
  return request<Pipeline>(`/api/v1/pipelines/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    body,
  });
}

export function deletePipeline(id: string): Promise<void> {
  return request<void>(`/api/v1/pipelines/${encodeURIComponent(id)}`, { method: 'DELETE' });
}

export function listFormats(signal?: AbortSignal): Promise<string[]> {
  return request<string[]>('/api/v1/parsers/formats', { signal });
}

export function listPatterns(signal?: AbortSignal): Promise<GrokPattern[]> {
  return request<GrokPattern[]>('/api/v1/patterns', { signal });
}

export function savePattern(body: GrokPattern): Promise<GrokPattern> {
  return request<GrokPattern>('/api/v1/patterns', { method: 'PUT', body });
}

export function deletePattern(name: string): Promise<void> {
  return request<void>(`/api/v1/patterns/${encodeURIComponent(name)}`, { method: 'DELETE' });
}

export async function testParser(
  body: ParserTestRequest,
  signal?: AbortSignal,
): Promise<ParserTestLine[]> {
  const res = await request<{ results: ParserTestLine[] }>('/api/v1/parsers/test', {
    method: 'POST',
    body,
    signal,
  });
  return res.results;
}
