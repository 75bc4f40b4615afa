/**
 * Bounded series for a run of any length (issue 13, item 3: a page that never waits). The page
 * keeps at most a fixed number of batch points, whatever the number of batches: each point is the
 * mean of `stride` consecutive batches, and when the series reaches twice its budget, neighbours
 * merge in pairs and the stride doubles. Adding a batch is O(1) amortised, the chart draws at most
 * `2 × budget` points, and memory stays flat. Pure functions, tested without a page.
 */
import type { BatchPoint } from './run-view';

/** Batch points a chart draws at least once the run is long; it never draws more than twice this. */
export const batchPointBudget = 400;

/** Mean of two optional figures weighted by how many batches each stands for. */
function weightedMean(
  a: number | undefined,
  aCount: number,
  b: number | undefined,
  bCount: number,
): number | undefined {
  if (a === undefined || !Number.isFinite(a)) return b;
  if (b === undefined || !Number.isFinite(b)) return a;
  return (a * aCount + b * bCount) / (aCount + bCount);
}

/** One point for the batches of `a` then `b`: mean figures and x, the later one's epoch and batch. */
export function mergePoints(a: BatchPoint, b: BatchPoint): BatchPoint {
  const aCount = a.count ?? 1;
  const bCount = b.count ?? 1;
  return {
    x: (a.x * aCount + b.x * bCount) / (aCount + bCount),
    epoch: b.epoch,
    batch: b.batch,
    loss: weightedMean(a.loss, aCount, b.loss, bCount),
    accuracy: weightedMean(a.accuracy, aCount, b.accuracy, bCount),
    count: aCount + bCount,
  };
}

export interface BatchSeries {
  points: BatchPoint[];
  /** Batches each full point stands for (a power of two); the last point may hold fewer. */
  stride: number;
}

/**
 * Appends batches (each standing for one batch) to a series, merging as the budget asks. Returns
 * a new series; `series.points` is never changed in place (the page renders it).
 */
export function appendBatches(
  series: BatchSeries,
  batches: readonly BatchPoint[],
  budget = batchPointBudget,
): BatchSeries {
  if (batches.length === 0) return series;
  let points = series.points.slice();
  let stride = series.stride;
  for (const batch of batches) {
    const last = points[points.length - 1];
    if (last && (last.count ?? 1) < stride) {
      points[points.length - 1] = mergePoints(last, batch);
    } else {
      points.push({ ...batch, count: batch.count ?? 1 });
    }
    if (points.length >= 2 * budget) {
      const merged: BatchPoint[] = [];
      for (let i = 0; i < points.length; i += 2) {
        merged.push(i + 1 < points.length ? mergePoints(points[i], points[i + 1]) : points[i]);
      }
      points = merged;
      stride *= 2;
    }
  }
  return { points, stride };
}

/**
 * At most `budget` of `items`, evenly spread, always with the first and the last (the epochs of a
 * run of thousands of epochs, on a chart).
 */
export function pickEvenly<T>(items: readonly T[], budget: number): T[] {
  if (items.length <= budget) return items.slice();
  if (budget <= 1) return items.length > 0 ? [items[items.length - 1]] : [];
  const picked: T[] = [];
  const step = (items.length - 1) / (budget - 1);
  for (let i = 0; i < budget; i++) picked.push(items[Math.round(i * step)]);
  return picked;
}
