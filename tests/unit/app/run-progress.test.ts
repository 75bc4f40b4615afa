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
import { applyRunEvents, logLineLimit, startedRunView, type RunView } from '../../../src/app/run/run-view';
import type { Report } from '../../../src/core/exercises/schema';
import { routeConsole } from '../../../src/core/sandbox/console';

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

describe('applyRunEvents: each event and what the page shows of it', () => {
  const start = startedRunView('fashion-mnist-cnn', 1000);
  type Case = {
    name: string;
    events: RunEvent[];
    /** The parts of the view the events change (the rest stays as it started). */
    view: Partial<RunView>;
  };
  const cases: Case[] = [
    {
      name: 'a phase sets the status text and logs it',
      events: [{ type: 'phase', phase: 'compile', message: 'Compiling your code' }],
      view: {
        phase: 'compile',
        phaseMessage: 'Compiling your code',
        log: [{ level: 'info', message: 'Compiling your code', at: 500 }],
      },
    },
    {
      name: 'the data phase keeps the download progress, the next phase clears it',
      events: [
        { type: 'phase', phase: 'data', message: 'Loading fashion-mnist' },
        { type: 'progress', label: 'train-images.bin', loaded: 10, total: 40 },
        { type: 'phase', phase: 'data', message: 'Decoding' },
      ],
      view: {
        phase: 'data',
        phaseMessage: 'Decoding',
        progress: { label: 'train-images.bin', loaded: 10, total: 40 },
        log: [
          { level: 'info', message: 'Loading fashion-mnist', at: 500 },
          { level: 'info', message: 'Decoding', at: 500 },
        ],
      },
    },
    {
      name: 'a progress event, then training, which clears it',
      events: [
        { type: 'progress', label: 'manifest.json', loaded: 1, total: 2 },
        { type: 'phase', phase: 'train', message: 'Training' },
      ],
      view: {
        phase: 'train',
        phaseMessage: 'Training',
        progress: null,
        log: [{ level: 'info', message: 'Training', at: 500 }],
      },
    },
    {
      name: 'the backend, with what was probed, in one log line',
      events: [
        {
          type: 'backend',
          backend: 'wasm',
          tried: [
            { backend: 'webgpu', ok: false, reason: 'no adapter' },
            { backend: 'wasm', ok: true },
          ],
        },
      ],
      view: {
        backend: {
          backend: 'wasm',
          tried: [
            { backend: 'webgpu', ok: false, reason: 'no adapter' },
            { backend: 'wasm', ok: true },
          ],
        },
        log: [{ level: 'info', message: 'Training on wasm (probed: webgpu ✗, wasm ✓)', at: 500 }],
      },
    },
    {
      name: 'batches go into the series on a continuous epoch axis, accuracy by any of its names',
      events: [
        { type: 'batch', epoch: 0, batch: 0, batches: 4, logs: { loss: 2, acc: 0.25, size: 32 } },
        { type: 'batch', epoch: 1, batch: 1, batches: 4, logs: { loss: 1, categoricalAccuracy: 0.5 } },
        { type: 'batch', epoch: 2, batch: 0, batches: 0, logs: {} },
      ],
      view: {
        batches: [
          { x: 0.25, epoch: 0, batch: 0, loss: 2, accuracy: 0.25, count: 1 },
          { x: 1.5, epoch: 1, batch: 1, loss: 1, accuracy: 0.5, count: 1 },
          { x: 3, epoch: 2, batch: 0, loss: undefined, accuracy: undefined, count: 1 },
        ],
      },
    },
    {
      name: 'an epoch goes into the table (1-based) and the log, validation figures included',
      events: [
        {
          type: 'epoch',
          epoch: 0,
          logs: { loss: 0.5, accuracy: 0.8125, val_loss: 0.625, val_acc: 0.75 },
          numTensors: 12,
          seconds: 3.2,
        },
        { type: 'epoch', epoch: 1, logs: {}, numTensors: 12, seconds: 2 },
      ],
      view: {
        epochs: [
          {
            epoch: 1,
            loss: 0.5,
            accuracy: 0.8125,
            valLoss: 0.625,
            valAccuracy: 0.75,
            seconds: 3.2,
            numTensors: 12,
          },
          {
            epoch: 2,
            loss: undefined,
            accuracy: undefined,
            valLoss: undefined,
            valAccuracy: undefined,
            seconds: 2,
            numTensors: 12,
          },
        ],
        log: [
          {
            level: 'info',
            message: 'Epoch 1: loss 0.5000, accuracy 0.8125, val loss 0.6250, val accuracy 0.7500, 3.2 s',
            at: 500,
          },
          { level: 'info', message: 'Epoch 2: 2.0 s', at: 500 },
        ],
      },
    },
    {
      name: 'a warning and a log line keep their level',
      events: [
        { type: 'warning', code: 'leak', message: '120 tensors were not disposed' },
        { type: 'log', level: 'error', message: 'printed with console.error' },
      ],
      view: {
        log: [
          { level: 'warn', message: '120 tensors were not disposed', at: 500 },
          { level: 'error', message: 'printed with console.error', at: 500 },
        ],
      },
    },
    {
      name: "a run's error with its line and column",
      events: [
        {
          type: 'error',
          error: { kind: 'runtime', message: 'model.fitt is not a function', line: 12, column: 9 },
        },
      ],
      view: {
        error: { kind: 'runtime', message: 'model.fitt is not a function', line: 12, column: 9 },
        log: [{ level: 'error', message: 'model.fitt is not a function (line 12, column 9)', at: 500 }],
      },
    },
    {
      name: 'an error without a place logs its message alone',
      events: [{ type: 'error', error: { kind: 'internal', message: 'The lab failed: out of memory' } }],
      view: {
        error: { kind: 'internal', message: 'The lab failed: out of memory' },
        log: [{ level: 'error', message: 'The lab failed: out of memory', at: 500 }],
      },
    },
  ];

  test.each(cases)('$name', ({ events, view }) => {
    const next = applyRunEvents(start, events, 1500);
    expect(next).toEqual({
      ...start,
      ...view,
      meter: events.some((e) => e.type === 'batch') ? next.meter : null,
    });
  });

  test('a report is kept as sent, and the run still says it is running (the store ends it)', () => {
    const report = { exerciseId: 'fashion-mnist-cnn', passed: true, score: 100 } as Report;
    const next = applyRunEvents(start, [{ type: 'report', report }], 1500);
    expect(next.report).toBe(report);
    expect(next.status).toBe('running');
    expect(next.log).toBe(start.log);
  });

  test('no events leave the view as it was; events add to what earlier bursts left', () => {
    expect(applyRunEvents(start, [], 2000)).toBe(start);
    const first = applyRunEvents(
      start,
      [{ type: 'batch', epoch: 0, batch: 0, batches: 2, logs: { loss: 1 } }],
      1100,
    );
    const second = applyRunEvents(
      first,
      [
        { type: 'batch', epoch: 0, batch: 1, batches: 2, logs: { loss: 0.5 } },
        { type: 'log', level: 'info', message: 'half way' },
      ],
      1200,
    );
    expect(second.batches.map((b) => b.x)).toEqual([0.5, 1]);
    expect(second.log).toEqual([{ level: 'info', message: 'half way', at: 200 }]);
    expect(second.meter).toMatchObject({ batch: 1, steps: 2 });
    // The earlier view is not changed.
    expect(first.batches).toHaveLength(1);
    expect(start.log).toEqual([]);
  });

  test('a print in a tight loop reaches the log capped: 2,000 lines cross, the page keeps the newest 1,000', () => {
    const saved = { ...console };
    const events: RunEvent[] = [];
    try {
      routeConsole((event) => events.push(event));
      console.log('x'.repeat(2500));
      for (let i = 1; i < 5000; i++) console.log(`line ${i}`);
    } finally {
      Object.assign(console, saved);
    }
    // The sandbox sends 2,000 lines, the first cut to 2,000 characters, the last saying the rest
    // were not printed; the page keeps the newest `logLineLimit` and counts the ones it dropped.
    expect(events.filter((e) => e.type === 'log')).toHaveLength(2000);
    expect(events[0]).toMatchObject({ message: `${'x'.repeat(2000)}… (2500 characters)` });
    const view = applyRunEvents(start, events, 1500);
    expect(view.log).toHaveLength(logLineLimit);
    expect(view.logDropped).toBe(2000 - logLineLimit);
    expect(view.log[0].message).toBe(`line ${2000 - logLineLimit}`);
    expect(view.log[logLineLimit - 1]).toEqual({
      level: 'info',
      message: '(more than 2000 lines printed; the rest are not shown)',
      at: 500,
    });
  });
});
