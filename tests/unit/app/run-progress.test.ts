import { describe, expect, test } from 'vitest';
import type { RunEvent } from '../../../src/core/sandbox/events';
import {
  formatDuration,
  measuredSpeed,
  meterBatches,
  progressParts,
  secondsLeft,
  speedWindowMs,
  type TrainingMeter,
} from '../../../src/app/run/progress';
import { applyRunEvents, startedRunView } from '../../../src/app/run/run-view';

function batch(epoch: number, index: number, batches = 10, size = 32): Extract<RunEvent, { type: 'batch' }> {
  return { type: 'batch', epoch, batch: index, batches, logs: { loss: 1, size } };
}

describe('training meter', () => {
  test('counts images and batches and keeps the last batch as sent', () => {
    let meter = meterBatches(null, [batch(0, 0), batch(0, 1)], 1000);
    meter = meterBatches(meter, [batch(0, 2, 10, 16)], 2000);
    expect(meter).toMatchObject({ epoch: 0, batch: 2, batches: 10, images: 80, steps: 3 });
    expect(meter.samples).toEqual([
      { at: 1000, images: 64, steps: 2 },
      { at: 2000, images: 80, steps: 3 },
    ]);
  });

  test('keeps samples of the last window only, and always two', () => {
    let meter: TrainingMeter | null = null;
    for (let i = 0; i < 30; i++) meter = meterBatches(meter, [batch(0, i, 100)], i * 1000);
    expect(meter!.samples[0].at).toBeGreaterThanOrEqual(29_000 - speedWindowMs);
    expect(meter!.samples.length).toBeLessThanOrEqual(speedWindowMs / 1000 + 1);
    const late = meterBatches(meter, [batch(0, 30, 100)], 1_000_000);
    expect(late.samples).toHaveLength(2);
  });

  test('ignores a missing or bad size', () => {
    const meter = meterBatches(
      null,
      [{ type: 'batch', epoch: 0, batch: 0, batches: 5, logs: { size: NaN } }],
      0,
    );
    expect(meter.images).toBe(0);
    expect(meter.steps).toBe(1);
  });

  test('the run view feeds its batch events to the meter', () => {
    const view = applyRunEvents(
      startedRunView('x', 0),
      [batch(1, 4, 20), { type: 'log', level: 'info', message: 'hi' }],
      500,
    );
    expect(view.meter).toMatchObject({ epoch: 1, batch: 4, batches: 20, steps: 1 });
    expect(applyRunEvents(view, [{ type: 'log', level: 'info', message: 'again' }], 600).meter).toBe(
      view.meter,
    );
  });
});

describe('speed and time left', () => {
  test('measures between the oldest and newest sample', () => {
    expect(measuredSpeed([{ at: 0, images: 0, steps: 0 }])).toBeNull();
    expect(
      measuredSpeed([
        { at: 1000, images: 0, steps: 0 },
        { at: 1000, images: 64, steps: 2 },
      ]),
    ).toBeNull();
    expect(
      measuredSpeed([
        { at: 1000, images: 100, steps: 2 },
        { at: 3000, images: 900, steps: 27 },
      ]),
    ).toEqual({ imagesPerSecond: 400, stepsPerSecond: 12.5 });
  });

  test('time left is the rest of the epoch, plus whole epochs when their count is known', () => {
    const meter = meterBatches(null, [batch(0, 9, 50)], 0);
    const speed = { imagesPerSecond: 320, stepsPerSecond: 10 };
    expect(secondsLeft(meter, speed)).toBe(4);
    expect(secondsLeft(meter, speed, 2)).toBe(14);
    expect(secondsLeft(meter, null)).toBeNull();
    expect(secondsLeft({ ...meter, batches: 0 }, speed)).toBeNull();
  });

  test('durations read at a glance', () => {
    expect(formatDuration(4.4)).toBe('4 s');
    expect(formatDuration(-3)).toBe('0 s');
    expect(formatDuration(120)).toBe('2 min');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(formatDuration(7200)).toBe('2 h');
  });
});

describe('progress line', () => {
  const meter = meterBatches(
    meterBatches(null, [batch(2, 0, 20)], 0),
    [batch(2, 9, 20), batch(2, 10, 20)],
    1000,
  );

  test('says epoch without a total the run did not give, and the time left in this epoch', () => {
    expect(progressParts('train', meter)).toEqual([
      'Training',
      'epoch 3',
      'batch 11 of 20',
      '64 images/s',
      'about 5 s left in this epoch',
    ]);
  });

  test('with a known epoch count, says "of N" and the time left of the run', () => {
    expect(progressParts('train', meter, 5)).toEqual([
      'Training',
      'epoch 3 of 5',
      'batch 11 of 20',
      '64 images/s',
      'about 25 s left',
    ]);
  });

  test('outside training, the phase alone', () => {
    expect(progressParts('compile', null)).toEqual(['Compiling']);
    expect(progressParts('grade', meter)).toEqual(['Grading']);
    expect(progressParts(null, null)).toEqual([]);
  });
});

describe('the epoch count from the batch events', () => {
  test('"epoch x of N" and the whole run\'s time left once a batch event says how many epochs', () => {
    const batch = (epoch: number, b: number, epochs?: number) => ({
      type: 'batch' as const,
      epoch,
      batch: b,
      batches: 10,
      ...(epochs !== undefined ? { epochs } : {}),
      logs: { size: 32 },
    });
    let meter = meterBatches(null, [batch(0, 0, 3)], 0);
    meter = meterBatches(meter, [batch(0, 1, 3)], 1000);
    expect(meter.epochs).toBe(3);
    // 1 batch per second: 8 left in this epoch and 2 whole epochs of 10 → 28 s.
    expect(progressParts('train', meter, meter.epochs)).toEqual([
      'Training',
      'epoch 1 of 3',
      'batch 2 of 10',
      '32 images/s',
      'about 28 s left',
    ]);
    // A later event without the count keeps the one the run said.
    expect(meterBatches(meter, [batch(1, 0)], 2000).epochs).toBe(3);
  });
});
