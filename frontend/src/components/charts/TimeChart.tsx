import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTheme, type Theme } from '../../theme';

export interface ChartSeries {
  label: string;
  color: string;
  /** One value per x; null for a gap. */
  values: (number | null)[];
}

export interface TimeChartProps {
  /** Bucket starts, epoch milliseconds. */
  x: number[];
  series: ChartSeries[];
  /** bars: stacked bars (one column per bucket); line: lines with a light fill. */
  kind: 'bars' | 'line';
  height?: number;
  /** Accessible name of the chart (it is a canvas). */
  label: string;
  /** Value shown in the hover readout and on the y axis. */
  formatValue?: (value: number) => string;
  /** Drag across the chart to pick a time range; receives epoch milliseconds. */
  onSelectRange?: (fromMs: number, toMs: number) => void;
  /** Width of a bucket in ms (for the end of a selection and the readout). */
  bucketMs?: number;
  /** Horizontal reference line (a threshold), drawn dashed. */
  threshold?: number | null;
  /** Time spans shaded behind the series (e.g. when an alert was firing), epoch ms. */
  bands?: { fromMs: number; toMs: number }[];
  testId?: string;
}

const AXIS: Record<Theme, { text: string; grid: string; threshold: string; band: string }> = {
  light: {
    text: '#5f6877',
    grid: 'rgba(16,24,40,0.07)',
    threshold: '#b42318',
    band: 'rgba(229,83,61,0.13)',
  },
  dark: {
    text: '#8f98a7',
    grid: 'rgba(255,255,255,0.07)',
    threshold: '#ff8e85',
    band: 'rgba(244,138,116,0.16)',
  },
};

/** Tick steps of the time axis (seconds); none finer than a bucket. */
const TIME_STEPS = [
  1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800,
  2592000,
];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function formatTick(ms: number, spanMs: number): string {
  const d = new Date(ms);
  if (spanMs > 3 * 86_400_000) return `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (spanMs > 86_400_000)
    return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (spanMs > 600_000) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function compactNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(abs >= 1e10 ? 0 : 1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(abs >= 1e7 ? 0 : 1)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(abs >= 1e4 ? 0 : 1)}k`;
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/**
 * A uPlot time chart. Stacked bars are drawn as cumulative bars, the tallest first, so each level
 * shows as its own band; the hover readout gives each series' own value.
 */
export function TimeChart({
  x,
  series,
  kind,
  height = 160,
  label,
  formatValue = compactNumber,
  onSelectRange,
  bucketMs = 0,
  threshold = null,
  bands,
  testId,
}: TimeChartProps) {
  const theme = useTheme();
  const holder = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const onSelectRef = useRef(onSelectRange);
  onSelectRef.current = onSelectRange;

  const xs = useMemo(() => x.map((ms) => ms / 1000), [x]);
  // Cumulative values for stacked bars; plain values for lines.
  const drawn = useMemo(() => {
    if (kind !== 'bars') return series.map((s) => s.values);
    const sums = new Array<number>(x.length).fill(0);
    return series.map((s) =>
      s.values.map((v, i) => {
        sums[i] += v ?? 0;
        return sums[i];
      }),
    );
  }, [series, kind, x.length]);

  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const colors = AXIS[theme];
    const spanMs = x.length > 1 ? x[x.length - 1] - x[0] : 3_600_000;
    const order = kind === 'bars' ? [...series.keys()].reverse() : [...series.keys()];
    const seriesOpts: uPlot.Series[] = [
      {},
      ...order.map((index) => {
        const s = series[index];
        return kind === 'bars'
          ? {
              label: s.label,
              fill: s.color,
              stroke: s.color,
              width: 0,
              paths: uPlot.paths.bars!({ size: [0.8, 40], align: 1 }),
              points: { show: false },
            }
          : {
              label: s.label,
              stroke: s.color,
              fill: `${s.color}22`,
              width: 1.5,
              points: { show: false },
            };
      }),
    ];
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: {
        drag: { x: Boolean(onSelectRef.current), y: false, setScale: false },
        points: { show: false },
      },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: true },
        y: {
          range: (_u, _min, max) => {
            const top = Math.max(max, threshold ?? 0);
            return [0, top > 0 ? top * 1.1 : 1];
          },
        },
      },
      axes: [
        {
          stroke: colors.text,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { show: false },
          size: 28,
          incrs: TIME_STEPS.filter((step) => step * 1000 >= bucketMs),
          values: (_u, ticks) => ticks.map((t) => formatTick(t * 1000, spanMs)),
          font: '11px system-ui, sans-serif',
        },
        {
          stroke: colors.text,
          grid: { stroke: colors.grid, width: 1 },
          ticks: { show: false },
          size: 48,
          values: (_u, ticks) => ticks.map((t) => formatValue(t)),
          font: '11px system-ui, sans-serif',
        },
      ],
      series: seriesOpts,
      hooks: {
        setCursor: [
          (u) => {
            const idx = u.cursor.idx;
            setHover(idx === undefined || idx === null ? null : idx);
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const from = u.posToVal(u.select.left, 'x') * 1000;
            const to = u.posToVal(u.select.left + u.select.width, 'x') * 1000;
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onSelectRef.current?.(Math.floor(from), Math.ceil(to));
          },
        ],
        drawAxes: [
          (u) => {
            if (!bands || bands.length === 0) return;
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = colors.band;
            for (const band of bands) {
              const left = u.valToPos(band.fromMs / 1000, 'x', true);
              const right = u.valToPos(band.toMs / 1000, 'x', true);
              // At least 3 px, so a short firing still shows on a long range.
              const minWidth = 3 * devicePixelRatio;
              const from = Math.max(u.bbox.left, left);
              const to = Math.min(u.bbox.left + u.bbox.width, Math.max(right, from + minWidth));
              if (to > from) ctx.fillRect(from, u.bbox.top, to - from, u.bbox.height);
            }
            ctx.restore();
          },
        ],
        draw: [
          (u) => {
            if (threshold === null) return;
            const y = Math.round(u.valToPos(threshold, 'y', true));
            const ctx = u.ctx;
            ctx.save();
            ctx.strokeStyle = colors.threshold;
            ctx.setLineDash([6, 4]);
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            ctx.restore();
          },
        ],
      },
    };
    const data: uPlot.AlignedData = [xs, ...order.map((index) => drawn[index])];
    const chart = new uPlot(opts, data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0) chart.setSize({ width: el.clientWidth, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, [theme, xs, drawn, series, kind, height, x, formatValue, threshold, bands, bucketMs]);

  const readout =
    hover !== null && x[hover] !== undefined ? (
      <>
        <span className="mono">
          {formatTick(x[hover], bucketMs > 3_600_000 ? 2 * 86_400_000 : 3_600_000)}
        </span>
        {series.map((s) => (
          <span key={s.label} className="chart-readout-item">
            <span className="swatch" style={{ background: s.color }} />
            {s.label} {s.values[hover] === null ? '—' : formatValue(s.values[hover] ?? 0)}
          </span>
        ))}
      </>
    ) : (
      series.map((s) => (
        <span key={s.label} className="chart-readout-item">
          <span className="swatch" style={{ background: s.color }} />
          {s.label}
        </span>
      ))
    );

  return (
    <div className="time-chart" data-testid={testId}>
      <div className="chart-readout" aria-hidden="true">
        {readout}
        {onSelectRange && hover === null && (
          <span className="chart-hint">drag across the chart to zoom</span>
        )}
      </div>
      <div ref={holder} className="chart-canvas" role="img" aria-label={label} />
    </div>
  );
}
