/**
 * Lines up batch and epoch figures on one x axis (epochs, continuous) in the column layout uPlot
 * wants: `[xs, perBatch, perEpochTrain, perEpochValidation]`, with `null` where a series has no
 * point. Epoch N's figures sit at x = N, the end of that epoch. Batch points come bounded from
 * the run view (each the mean of a stride of batches: run/decimate.ts); a run of thousands of
 * epochs draws `batchPointBudget` of them, evenly spread, so a chart's work per update stays flat.
 */
import { batchPointBudget, pickEvenly } from './decimate';
import type { BatchPoint, EpochFigures } from './run-view';

export type ChartMetric = 'loss' | 'accuracy';
export type ChartColumns = [number[], (number | null)[], (number | null)[], (number | null)[]];

export function chartColumns(
  batches: BatchPoint[],
  epochs: EpochFigures[],
  metric: ChartMetric,
): ChartColumns {
  const rows = new Map<number, [number | null, number | null, number | null]>();
  const row = (x: number) => {
    let found = rows.get(x);
    if (!found) {
      found = [null, null, null];
      rows.set(x, found);
    }
    return found;
  };
  for (const point of batches) {
    const value = point[metric];
    if (value !== undefined && Number.isFinite(value)) row(point.x)[0] = value;
  }
  for (const figures of pickEvenly(epochs, batchPointBudget)) {
    const train = metric === 'loss' ? figures.loss : figures.accuracy;
    const validation = metric === 'loss' ? figures.valLoss : figures.valAccuracy;
    if (train !== undefined && Number.isFinite(train)) row(figures.epoch)[1] = train;
    if (validation !== undefined && Number.isFinite(validation)) row(figures.epoch)[2] = validation;
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return [xs, xs.map((x) => rows.get(x)![0]), xs.map((x) => rows.get(x)![1]), xs.map((x) => rows.get(x)![2])];
}
