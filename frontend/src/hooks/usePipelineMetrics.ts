import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { getPipelineMetrics, type PipelineMetrics } from '../api/metrics';

export interface MetricsPoint {
  at: number;
  /** Lines stored per second since the previous sample. */
  ingestRate: number;
  /** Ingest batches waiting or being processed. */
  queueDepth: number;
}

const EVERY_MS = 5000;
const KEEP = 72; // 6 minutes

/** Polls /metrics and turns its counters into an ingest rate and a queue depth over time. */
export function usePipelineMetrics() {
  const previous = useRef<PipelineMetrics | null>(null);
  const [points, setPoints] = useState<MetricsPoint[]>([]);
  const metrics = useQuery({
    queryKey: ['metrics'],
    queryFn: ({ signal }) => getPipelineMetrics(signal),
    // A rate needs two samples and a chart two rates: take the first ones a second apart.
    refetchInterval: () => (points.length < 2 ? 1000 : EVERY_MS),
  });

  useEffect(() => {
    const sample = metrics.data;
    if (!sample) return;
    const before = previous.current;
    previous.current = sample;
    const queueDepth =
      (sample.queue.waiting ?? 0) + (sample.queue.active ?? 0) + (sample.queue.prioritized ?? 0);
    if (!before || sample.at <= before.at) return;
    const seconds = (sample.at - before.at) / 1000;
    const ingestRate = Math.max(0, (sample.linesStored - before.linesStored) / seconds);
    setPoints((list) => [...list.slice(-(KEEP - 1)), { at: sample.at, ingestRate, queueDepth }]);
  }, [metrics.data]);

  const latest = points[points.length - 1];
  const data = metrics.data;
  return {
    error: metrics.error,
    points,
    ingestRate: latest?.ingestRate ?? null,
    queueDepth: data
      ? (data.queue.waiting ?? 0) + (data.queue.active ?? 0) + (data.queue.prioritized ?? 0)
      : null,
    failedJobs: data?.queue.failed ?? 0,
    linesStored: data?.linesStored ?? null,
  };
}
