// A uPlot time-series chart as a preact component. Data is [x (seconds), ...series]; new data is
// pushed with setData, so streaming points never rebuild the chart. Width follows the container.

import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  color: string;
  /** Formats a value for the legend and axis. */
  format?: (v: number) => string;
}

export interface ChartProps {
  title: string;
  series: ChartSeries[];
  /** [times in seconds, ...one array per series]; null marks a gap. */
  data: [number[], ...Array<Array<number | null>>];
  height?: number;
  yMax?: number;
}

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

function axisColors(): { stroke: string; grid: string } {
  const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
  return dark
    ? { stroke: '#a9b1bb', grid: 'rgba(255,255,255,0.08)' }
    : { stroke: '#59616b', grid: 'rgba(0,0,0,0.07)' };
}

/** Bumps when the system switches between light and dark, so charts redraw their axes. */
function useColorScheme(): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const mq = window.matchMedia('(prefers-color-scheme: dark)');
    const on = () => setN((x) => x + 1);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  return n;
}

/** With no cursor over the chart, the legend shows the newest values. */
function legendLatest(u: uPlot): void {
  if (u.cursor.idx === null || u.cursor.idx === undefined) {
    const n = u.data[0]?.length ?? 0;
    if (n > 0) u.setLegend({ idx: n - 1 });
  }
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const scheme = useColorScheme();
  const key = `${props.series.map((s) => s.label).join('\u0000')}\u0000${scheme}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const fmt = props.series[0]?.format ?? ((v: number) => String(v));
    const colors = axisColors();
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: props.height ?? 180,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      hooks: { setCursor: [legendLatest] },
      scales: {
        x: { time: true },
        y: { range: (_u, _min, max) => [0, Math.max(props.yMax ?? 0, max * 1.1 || 1)] },
      },
      axes: [
        { stroke: colors.stroke, grid: { stroke: colors.grid }, ticks: { stroke: colors.grid } },
        {
          stroke: colors.stroke,
          grid: { stroke: colors.grid },
          ticks: { stroke: colors.grid },
          size: 76,
          values: (_u, vals) => vals.map((v) => fmt(v)),
        },
      ],
      series: [
        {
          label: 'time',
          value: (_u: uPlot, v: number | null) =>
            v === null || v === undefined
              ? '–'
              : new Date(v * 1000).toLocaleTimeString([], { hour12: false }),
        },
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          fill: `${s.color}1a`,
          spanGaps: true,
          points: { show: false },
          value: (_u: uPlot, v: number | null) =>
            v === null || v === undefined ? '–' : (s.format ?? fmt)(v),
        })),
      ],
    };
    const u = new uPlot(opts, props.data as uPlot.AlignedData, el);
    plot.current = u;
    legendLatest(u);
    const ro = new ResizeObserver(() =>
      u.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 180 }),
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the set of series changes; data flows through setData below.
  }, [key]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(props.data as uPlot.AlignedData);
    legendLatest(u);
  }, [props.data]);

  return h(
    'figure',
    { class: 'chart', 'data-chart': props.title, 'data-points': props.data[0].length },
    h('figcaption', null, props.title),
    h('div', { ref: box, class: 'chart-plot' }),
  );
}

/** Merges per-series points into uPlot's aligned form (x in seconds), keeping at most `max` times. */
export function align(series: Array<Array<[number, number]>>, max = 2000): ChartProps['data'] {
  const times = new Set<number>();
  for (const s of series) for (const [t] of s) times.add(Math.round(t / 1000));
  const xs = [...times].sort((a, b) => a - b).slice(-max);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const col: Array<number | null> = new Array<number | null>(xs.length).fill(null);
    for (const [t, v] of s) {
      const i = index.get(Math.round(t / 1000));
      if (i !== undefined) col[i] = v;
    }
    return col;
  });
  return [xs, ...ys];
}
