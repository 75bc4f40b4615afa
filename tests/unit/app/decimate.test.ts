import { describe, expect, test } from 'vitest';
import type { RunEvent } from '../../../src/core/sandbox/events';
import { appendBatches, batchPointBudget, mergePoints, pickEvenly } from '../../../src/app/run/decimate';
import { chartColumns } from '../../../src/app/run/chart-data';
import {
  applyRunEvents,
  logLineLimit,
  startedRunView,
  trimLog,
  type BatchPoint,
} from '../../../src/app/run/run-view';

const point = (i: number, loss = i): BatchPoint => ({ x: i + 1, epoch: 0, batch: i, loss, accuracy: 0.5 });

describe('batch points within a budget', () => {
  test('keeps every batch while under the budget', () => {
    const series = appendBatches({ points: [], stride: 1 }, [point(0), point(1), point(2)], 4);
    expect(series.stride).toBe(1);
    expect(series.points.map((p) => p.loss)).toEqual([0, 1, 2]);
  });

  test('merges neighbours in pairs at twice the budget, averaging figures and x', () => {
    const batches = Array.from({ length: 8 }, (_, i) => point(i));
    const series = appendBatches({ points: [], stride: 1 }, batches, 4);
    expect(series.stride).toBe(2);
    expect(series.points).toHaveLength(4);
    expect(series.points.map((p) => p.loss)).toEqual([0.5, 2.5, 4.5, 6.5]);
    expect(series.points.map((p) => p.x)).toEqual([1.5, 3.5, 5.5, 7.5]);
    expect(series.points.every((p) => p.count === 2)).toBe(true);
    // The next batch opens a point that fills up to the stride.
    const more = appendBatches(series, [point(8), point(9)], 4);
    expect(more.points.map((p) => p.loss)).toEqual([0.5, 2.5, 4.5, 6.5, 8.5]);
    expect(more.points[4]).toMatchObject({ count: 2, batch: 9 });
  });

  test('a run of any length stays within twice the budget, and the mean of all batches is kept', () => {
    let series = { points: [] as BatchPoint[], stride: 1 };
    const total = 100_000;
    for (let start = 0; start < total; start += 37) {
      const chunk = Array.from({ length: Math.min(37, total - start) }, (_, k) => point(start + k));
      series = appendBatches(series, chunk);
      expect(series.points.length).toBeLessThan(2 * batchPointBudget);
    }
    expect(series.points.length).toBeGreaterThanOrEqual(batchPointBudget / 2);
    const counted = series.points.reduce((sum, p) => sum + (p.count ?? 1), 0);
    expect(counted).toBe(total);
    const mean = series.points.reduce((sum, p) => sum + p.loss! * (p.count ?? 1), 0) / total;
    expect(mean).toBeCloseTo((total - 1) / 2, 6);
    // x stays in order.
    for (let i = 1; i < series.points.length; i++) {
      expect(series.points[i].x).toBeGreaterThan(series.points[i - 1].x);
    }
  });

  test('never changes the points it was given', () => {
    const points = [point(0)];
    appendBatches({ points, stride: 2 }, [point(1)]);
    expect(points).toEqual([point(0)]);
  });

  test('a figure missing on one side keeps the other', () => {
    const merged = mergePoints({ ...point(0), loss: undefined }, point(1, 3));
    expect(merged.loss).toBe(3);
    expect(mergePoints(point(0, NaN), point(1, 2)).loss).toBe(2);
  });

  test('picks evenly, keeping the first and the last', () => {
    const items = Array.from({ length: 1001 }, (_, i) => i);
    const picked = pickEvenly(items, 11);
    expect(picked).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(pickEvenly([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(pickEvenly([1, 2, 3], 1)).toEqual([3]);
  });
});

describe('the run view stays bounded', () => {
  const batchEvent = (i: number): RunEvent => ({
    type: 'batch',
    epoch: Math.floor(i / 100),
    batch: i % 100,
    batches: 100,
    logs: { loss: 1, acc: 0.5, size: 8 },
  });

  test('thousands of batches make a bounded series; the charts get a bounded number of rows', () => {
    let view = startedRunView('x', 0);
    for (let i = 0; i < 20_000; i += 50) {
      view = applyRunEvents(
        view,
        Array.from({ length: 50 }, (_, k) => batchEvent(i + k)),
        i,
      );
    }
    expect(view.batches.length).toBeLessThan(2 * batchPointBudget);
    expect(view.batchStride).toBeGreaterThan(1);
    expect(view.meter?.steps).toBe(20_000);
    const epochs = Array.from({ length: 5000 }, (_, i) => ({
      epoch: i + 1,
      loss: 1,
      seconds: 1,
      numTensors: 1,
    }));
    const [xs] = chartColumns(view.batches, epochs, 'loss');
    expect(xs.length).toBeLessThanOrEqual(3 * batchPointBudget);
  });

  test('the log keeps its newest lines and counts the dropped ones', () => {
    let view = startedRunView('x', 0);
    const logs = (from: number, n: number): RunEvent[] =>
      Array.from({ length: n }, (_, k) => ({ type: 'log', level: 'info', message: `line ${from + k}` }));
    view = applyRunEvents(view, logs(0, logLineLimit - 1), 1);
    expect(view.logDropped).toBe(0);
    view = applyRunEvents(view, logs(logLineLimit - 1, 11), 2);
    expect(view.log).toHaveLength(logLineLimit);
    expect(view.logDropped).toBe(10);
    expect(view.log[0].message).toBe('line 10');
    expect(view.log[logLineLimit - 1].message).toBe(`line ${logLineLimit + 9}`);
    const lines = [{ level: 'info' as const, message: 'a', at: 0 }];
    expect(trimLog(lines, 5)).toBe(0);
  });
});
