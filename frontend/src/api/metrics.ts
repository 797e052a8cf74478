import { request } from './client';
import { parsePrometheus } from './prometheus';

/** What the overview shows of /metrics. */
export interface PipelineMetrics {
  at: number;
  linesStored: number;
  parseErrors: number;
  /** Ingest queue jobs (batches) by state: waiting, active, delayed, failed… */
  queue: Record<string, number>;
}

export async function getPipelineMetrics(signal?: AbortSignal): Promise<PipelineMetrics> {
  const text = await request<string>('/metrics', { signal, auth: false, as: 'text' });
  const samples = parsePrometheus(text);
  const counter = (name: string) =>
    samples.find((s) => s.name === 'lookout_pipeline_total' && s.labels.counter === name)?.value ??
    0;
  const queue: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name === 'lookout_queue_jobs' && sample.labels.state) {
      queue[sample.labels.state] = (queue[sample.labels.state] ?? 0) + sample.value;
    }
  }
  return {
    at: Date.now(),
    linesStored: counter('lines_stored'),
    parseErrors: counter('parse_errors'),
    queue,
  };
}
