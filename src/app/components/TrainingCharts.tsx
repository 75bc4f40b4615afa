import { memo, useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { chartColumns, type ChartMetric } from '../run/chart-data';
import type { BatchPoint, EpochFigures } from '../run/run-view';
import { useResolvedTheme } from '../stores/theme';

const chartHeight = 220;

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
}: {
  title: string;
  metric: ChartMetric;
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
    // Built in the next frame, not in the commit that mounts the chart: the chart reads the page's
    // layout and styles, which in the commit of Run's click would be a forced layout of the whole
    // page inside the click's task (issue 13, item 3).
    const frame = requestAnimationFrame(() => {
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
    });
    return () => {
      cancelAnimationFrame(frame);
      observer?.disconnect();
      plot?.destroy();
      plotRef.current = null;
    };
  }, [title, theme]);

  useEffect(() => {
    // Each chart redraws in a task of its own, so two charts never add up to one long task.
    const timer = setTimeout(() => plotRef.current?.setData(data as uPlot.AlignedData), 0);
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
      <MetricChart title="Loss" metric="loss" batches={batches} epochs={epochs} />
      <MetricChart title="Accuracy" metric="accuracy" batches={batches} epochs={epochs} />
    </div>
  );
});
