import type { HistogramResponse } from '@app/contracts';
import { LOG_LEVELS } from '@app/contracts';
import { useMemo } from 'react';
import { isLevel, LEVEL_CHART_COLORS } from '../../levels';
import { useTheme } from '../../theme';
import { TimeChart, type ChartSeries } from './TimeChart';

interface LevelHistogramProps {
  data: HistogramResponse;
  height?: number;
  onSelectRange?: (fromMs: number, toMs: number) => void;
  testId?: string;
}

/** Lines per bucket, stacked by level (most severe at the bottom, so it is never hidden). */
export function LevelHistogram({ data, height, onSelectRange, testId }: LevelHistogramProps) {
  const theme = useTheme();
  const x = useMemo(() => data.buckets.map((b) => Date.parse(b.ts)), [data]);
  const series = useMemo<ChartSeries[]>(() => {
    const colors = LEVEL_CHART_COLORS[theme];
    if (data.series.length === 0) {
      return [{ label: 'lines', color: colors.notice, values: data.buckets.map((b) => b.count) }];
    }
    const rank = (name: string) => (isLevel(name) ? LOG_LEVELS.indexOf(name) : LOG_LEVELS.length);
    return [...data.series]
      .sort((a, b) => rank(a.name) - rank(b.name))
      .map((s) => ({
        label: s.name,
        color: isLevel(s.name) ? colors[s.name] : colors.debug,
        values: s.counts,
      }));
  }, [data, theme]);

  return (
    <TimeChart
      x={x}
      series={series}
      kind="bars"
      height={height}
      bucketMs={data.intervalSeconds * 1000}
      label={`Lines over time by level: ${data.total} lines from ${data.from} to ${data.to}, ${data.interval} buckets`}
      onSelectRange={onSelectRange}
      testId={testId}
    />
  );
}
