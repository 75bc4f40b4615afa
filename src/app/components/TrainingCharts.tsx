import { memo, useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, type ChartMetric } from '../run/chart-data';
import type { BatchPoint, EpochFigures } from '../run/run-view';
import { useResolvedTheme } from '../stores/theme';

const chartHeight = 220;

/**
 * The least time between two redraws of a chart while a run streams figures: a redraw is a few
 * milliseconds on an idle machine and several times that on a loaded one, and curves read at a
 * glance need no more than one a second.
 */
export const chartRedrawMs = 1000;

/** uPlot draws on a canvas: its axes take the theme's colours from the stylesheet's variables. */
function axisColours(host: HTMLElement): { stroke: string; grid: string } {
  const style = getComputedStyle(host);
  return {
    stroke: style.getPropertyValue('--chart-axis').trim() || '#1f2933',
    grid: style.getPropertyValue('--chart-grid').trim() || 'rgba(0, 0, 0, 0.07)',
  };
}

function chartOptions(title: string, width: number, host: HTMLElement): uPlot.Options {
  const { stroke, grid } = axisColours(host);
  const axis = { stroke, grid: { stroke: grid }, ticks: { stroke: grid } };
  return {
    title,
    width,
    height: chartHeight,
    scales: { x: { time: false } },
    axes: [{ label: 'epoch', ...axis }, axis],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    series: [
      { label: 'epoch', value: (_u, v) => (v == null ? '–' : v.toFixed(2)) },
      // Batch points are means of strides of batches (run/decimate.ts): epoch rows fall between them.
      { label: 'batch', stroke: '#93b4e8', width: 1, spanGaps: true, points: { show: false } },
      {
        label: 'epoch (train)',
        stroke: '#1d4ed8',
        width: 2,
        spanGaps: true,
        points: { show: true, size: 6 },
      },
      {
        label: 'validation',
        stroke: '#c2410c',
        width: 2,
        dash: [6, 4],
        spanGaps: true,
        points: { show: true, size: 6 },
      },
    ],
  };
}

const MetricChart = memo(function MetricChart({
  title,
  metric,
  batches,
  epochs,
  delayFrames,
}: {
  title: string;
  metric: ChartMetric;
  /** Animation frames to wait before building the chart: two charts are built in two frames. */
  delayFrames: number;
  batches: BatchPoint[];
  epochs: EpochFigures[];
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const plotRef = useRef<uPlot | null>(null);
  const data = useMemo(() => chartColumns(batches, epochs, metric), [batches, epochs, metric]);
  const dataRef = useRef(data);
  dataRef.current = data;
  // A new theme draws the chart again in its colours.
  const theme = useResolvedTheme();

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let plot: uPlot | null = null;
    let observer: ResizeObserver | null = null;
    // Built in a later frame, not in the commit that mounts the chart: the chart reads the page's
    // layout and styles, which in the commit of Run's click would be a forced layout of the whole
    // page inside the click's task; and one chart a frame (issue 13, item 3).
    let frame = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let framesLeft = delayFrames;
    const afterFrame = () => {
      if (framesLeft-- > 0) {
        frame = requestAnimationFrame(afterFrame);
        return;
      }
      // After the frame has been drawn, in a task of its own: the page's layout is clean by then.
      timer = setTimeout(build, 0);
    };
    const build = () => {
      const built = new uPlot(
        chartOptions(title, Math.max(200, host.clientWidth), host),
        dataRef.current as uPlot.AlignedData,
        host,
      );
      plot = built;
      plotRef.current = built;
      observer = new ResizeObserver(() => {
        built.setSize({ width: Math.max(200, host.clientWidth), height: chartHeight });
      });
      observer.observe(host);
    };
    frame = requestAnimationFrame(afterFrame);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      observer?.disconnect();
      plot?.destroy();
      plotRef.current = null;
    };
  }, [title, theme, delayFrames]);

  // Each chart redraws in a task of its own, so two charts never add up to one long task, and at
  // most once every `chartRedrawMs` (the newest figures then).
  const lastDrawRef = useRef(-Infinity);
  useEffect(() => {
    const wait = Math.max(0, lastDrawRef.current + chartRedrawMs - performance.now());
    const timer = setTimeout(() => {
      lastDrawRef.current = performance.now();
      plotRef.current?.setData(dataRef.current as uPlot.AlignedData);
    }, wait);
    return () => clearTimeout(timer);
  }, [data]);

  return <div className="chart" ref={hostRef} data-testid={`chart-${metric}`} data-points={data[0].length} />;
});

/**
 * Live loss and accuracy curves: the batches (a bounded number of points, each the mean of a stride
 * of batches), and each epoch's train and validation figures. Redrawn only when they change.
 */
export const TrainingCharts = memo(function TrainingCharts({
  batches,
  epochs,
}: {
  batches: BatchPoint[];
  epochs: EpochFigures[];
}) {
  return (
    <div className="charts">
      <MetricChart title="Loss" metric="loss" batches={batches} epochs={epochs} delayFrames={0} />
      <MetricChart title="Accuracy" metric="accuracy" batches={batches} epochs={epochs} delayFrames={1} />
    </div>
  );
});
