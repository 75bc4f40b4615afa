import { describe, expect, it } from 'vitest';
import { diagnoseReport, type EpochLogs } from '../../../src/core/grading/diagnosis';
import { formatReport } from '../../../src/core/grading/format';
import type { Check, Report } from '../../../src/core/exercises/schema';

function check(id: string, passed: boolean, label: string, detail: string): Check {
  return { id, passed, label, detail };
}

const modelOk = [
  check('model:inputShape', true, 'Model input matches the test images', 'input shape [null,28,28,1]'),
  check('model:output', true, 'Model outputs 10 classes', 'output shape [null,10]'),
  check('model:finite', true, 'Predictions are finite', 'all finite'),
];
const accuracyMissed = check(
  'target:accuracy:test',
  false,
  'Test accuracy at least 0.85',
  'test accuracy 0.7500, target at least 0.85',
);
const accuracyMet = check(
  'target:accuracy:test',
  true,
  'Test accuracy at least 0.85',
  'test accuracy 0.9000, target at least 0.85',
);

function report(checks: Check[], accuracy = 0.75): Report {
  const passed = checks.every((c) => c.passed);
  return {
    format: 'cv-lab-report',
    version: 1,
    exerciseId: 'fashion-dense',
    passed,
    score: passed ? 100 : 43.3,
    metrics: {
      accuracy,
      macroF1: accuracy,
      perClass: [],
      confusionMatrix: [],
      classNames: [],
      testCount: 1000,
    },
    checks,
    timings: { trainSeconds: 10, gradeSeconds: 1 },
    backend: 'cpu',
    epochs: 5,
    params: 1000,
    datasetHash: 'd'.repeat(64),
    modelHash: 'm'.repeat(64),
    gradedAt: '2024-01-01T00:00:00.000Z',
  };
}

/** A history from per-epoch columns; `undefined` leaves a figure out of that epoch's logs. */
function history(columns: Record<string, (number | undefined)[]>): EpochLogs[] {
  const length = Math.max(...Object.values(columns).map((c) => c.length));
  return Array.from({ length }, (_, epoch) => {
    const logs: Record<string, number> = {};
    for (const [key, values] of Object.entries(columns)) {
      const value = values[epoch];
      if (value !== undefined) logs[key] = value;
    }
    return { epoch, logs };
  });
}

const kinds = (h: EpochLogs[], checks: Check[] = [...modelOk, accuracyMissed]) =>
  diagnoseReport(report(checks), h).readings.map((r) => r.kind);

describe('diagnoseReport: the summary line', () => {
  it('leads with the heaviest failure in words: a broken rule before a missed target', () => {
    const conv = check(
      'rule:requiresLayer:Conv2D',
      false,
      'Uses a Conv2D layer',
      'no Conv2D layer found (the model has Flatten, Dense)',
    );
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed, conv]));
    expect(diagnosis.summary).toBe(
      'Not passed: the rule “Uses a Conv2D layer” is broken — no Conv2D layer found (the model has Flatten, Dense). (1 more check fails)',
    );
    expect(diagnosis.failures).toEqual([
      'the rule “Uses a Conv2D layer” is broken — no Conv2D layer found (the model has Flatten, Dense).',
      'the target “Test accuracy at least 0.85” is missed — test accuracy 0.7500, target at least 0.85.',
    ]);
    expect(diagnosis.nextStep).toBe('Add a Conv2D layer to the model.');
  });

  it('names a model that does not fit the data first, with the fix', () => {
    const output = check(
      'model:output',
      false,
      'Model outputs 10 classes',
      'output shape [null,5], expected [null,10]: the last layer needs 10 units, one per class',
    );
    const diagnosis = diagnoseReport(report([modelOk[0], output, accuracyMissed], 0));
    expect(diagnosis.summary).toMatch(
      /^Not passed: the model does not fit this exercise — output shape \[null,5\]/,
    );
    expect(diagnosis.nextStep).toMatch(/units in the last Dense layer to the number of classes/);
  });

  it('says how to stop at the target when no callback stopped training', () => {
    const stops = check(
      'rule:stopsAtTarget',
      false,
      'Stops training in the epoch training accuracy reaches 0.86',
      'reached 0.8700 in epoch 5, the last epoch fit was asked for: no callback stopped training',
    );
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMet, stops], 0.9));
    expect(diagnosis.summary).toMatch(/^Not passed: the rule “Stops training/);
    expect(diagnosis.nextStep).toMatch(/this\.model\.stopTraining = true/);
  });

  it('passes with a plain line, and still mentions what the curves show', () => {
    const clean = diagnoseReport(report([...modelOk, accuracyMet], 0.9), []);
    expect(clean.summary).toBe('Passed: all 4 checks hold.');
    expect(clean.nextStep).toBeNull();
    const overfit = diagnoseReport(
      report([...modelOk, accuracyMet], 0.9),
      history({ loss: [0.5, 0.3, 0.1], acc: [0.8, 0.95, 0.99], val_acc: [0.8, 0.85, 0.86] }),
    );
    expect(overfit.summary).toBe(
      'Passed: all 4 checks hold, though the curves show overfitting: the model memorises the training images.',
    );
  });
});

describe('diagnoseReport: reading the curves', () => {
  it('reads nothing from a healthy run that met its target', () => {
    const healthy = history({
      loss: [1.2, 0.8, 0.6, 0.5, 0.45],
      acc: [0.6, 0.75, 0.82, 0.86, 0.88],
      val_loss: [0.9, 0.7, 0.6, 0.55, 0.52],
      val_acc: [0.7, 0.78, 0.83, 0.86, 0.87],
    });
    expect(kinds(healthy, [...modelOk, accuracyMet])).toEqual([]);
  });

  it('overfitting: training accuracy far above validation, validation loss rising', () => {
    const h = history({
      loss: [1.0, 0.6, 0.4, 0.2, 0.1, 0.05],
      acc: [0.65, 0.8, 0.88, 0.94, 0.97, 0.99],
      val_loss: [0.8, 0.6, 0.55, 0.6, 0.7, 0.8],
      val_acc: [0.7, 0.78, 0.8, 0.8, 0.79, 0.79],
    });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed]), h);
    expect(diagnosis.readings.map((r) => r.kind)).toEqual(['overfitting']);
    expect(diagnosis.readings[0].evidence).toBe(
      'epoch 6: training accuracy 0.9900, validation accuracy 0.7900 (gap 0.2000); ' +
        'validation loss was lowest in epoch 3 (0.5500) and rose to 0.8000 by epoch 6 while the training loss kept falling',
    );
    // A missed target with overfitting: the next step is the overfitting one.
    expect(diagnosis.nextStep).toMatch(/augmentation|Dropout/);
  });

  it('divergence: a NaN loss, or a stored history that lost its loss figure', () => {
    const nan = diagnoseReport(report([...modelOk, accuracyMissed]), history({ loss: [2.3, 1.9, NaN] }));
    expect(nan.readings[0]).toMatchObject({ kind: 'diverged', title: 'Training diverged' });
    expect(nan.readings[0].evidence).toBe(
      'the loss became NaN or infinite in epoch 3 (before it: 2.3000 → 1.9000)',
    );
    expect(nan.nextStep).toMatch(/Lower the learning rate tenfold/);
    // Stored results keep finite figures only: the diverged epoch has no loss.
    expect(kinds(history({ loss: [2.3, 1.9, undefined], acc: [0.1, 0.2, 0.1] }))).toEqual(['diverged']);
  });

  it('divergence: the loss ended far above where it started', () => {
    const h = history({ loss: [0.9, 0.7, 1.5, 3.0, 6.0], acc: [0.6, 0.7, 0.5, 0.3, 0.1] });
    const [reading] = diagnoseReport(report([...modelOk, accuracyMissed], 0.1), h).readings;
    expect(reading.kind).toBe('diverged');
    expect(reading.evidence).toBe(
      'the loss rose from 0.9000 in epoch 1 to 6.0000 in epoch 5 (lowest 0.7000)',
    );
  });

  it('learning rate too high: the loss oscillates', () => {
    const h = history({ loss: [1.0, 1.2, 0.9, 1.15, 0.95, 1.1], acc: [0.5, 0.45, 0.55, 0.5, 0.55, 0.5] });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed], 0.5), h);
    expect(diagnosis.readings[0].kind).toBe('learning-rate-high');
    expect(diagnosis.readings[0].evidence).toBe(
      'the loss went up in 3 of 5 epochs instead of falling steadily (1.0000 → 1.2000 → 0.9000 → 1.1500 → 0.9500 → 1.1000)',
    );
    expect(diagnosis.nextStep).toMatch(/Lower the learning rate/);
  });

  it('learning rate too low: the loss barely moves and accuracy stays low', () => {
    const h = history({ loss: [2.302, 2.3, 2.299, 2.297, 2.296], acc: [0.1, 0.11, 0.11, 0.12, 0.12] });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed], 0.12), h);
    expect(diagnosis.readings.map((r) => r.kind)).toEqual(['learning-rate-low']);
    expect(diagnosis.readings[0].evidence).toBe(
      'the loss barely moved in 5 epochs: 2.3020 → 2.2960 (0.3%), training accuracy 0.1200',
    );
    expect(diagnosis.nextStep).toMatch(/Raise the learning rate tenfold/);
  });

  it('stopped too early: still improving at the last epoch, with the epochs to try', () => {
    const h = history({
      loss: [1.0, 0.8, 0.65],
      acc: [0.6, 0.7, 0.76],
      val_acc: [0.62, 0.7, 0.75],
    });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed]), h);
    expect(diagnosis.readings.map((r) => r.kind)).toEqual(['stopped-early']);
    expect(diagnosis.readings[0].evidence).toBe(
      'validation accuracy was still rising at the last epoch: 0.6200 → 0.7000 → 0.7500',
    );
    expect(diagnosis.nextStep).toBe(
      'Train more epochs, e.g. epochs: 6, and watch the validation curve flatten.',
    );
  });

  it('stopped too early at the epoch limit: make each epoch count instead', () => {
    const limit = check('rule:maxEpochs', true, 'At most 3 epochs', 'trained 3 epochs, limit 3');
    const h = history({ loss: [1.0, 0.8, 0.65], acc: [0.6, 0.7, 0.76] });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed, limit]), h);
    expect(diagnosis.nextStep).toMatch(/^You are at the epoch limit \(3\)/);
  });

  it('underfitting: a flat curve, training no better than validation, target missed', () => {
    const h = history({
      loss: [1.6, 1.5, 1.45, 1.43, 1.42],
      acc: [0.4, 0.46, 0.48, 0.49, 0.49],
      val_acc: [0.42, 0.47, 0.49, 0.49, 0.49],
    });
    const diagnosis = diagnoseReport(report([...modelOk, accuracyMissed], 0.49), h);
    expect(diagnosis.readings.map((r) => r.kind)).toEqual(['underfitting']);
    expect(diagnosis.readings[0].evidence).toMatch(
      /^training accuracy 0\.4900 is no better than validation accuracy 0\.4900/,
    );
    expect(diagnosis.nextStep).toMatch(/Conv2D/);
  });

  it('reads only one epoch as stopping too early', () => {
    expect(kinds(history({ loss: [0.9], acc: [0.7] }))).toEqual(['stopped-early']);
  });
});

describe('formatReport with a diagnosis', () => {
  it('prints the summary under the verdict, then the curve readings and the next step', () => {
    const h = history({ loss: [1.0, 0.8, 0.65], acc: [0.6, 0.7, 0.76], val_acc: [0.62, 0.7, 0.75] });
    const text = formatReport(report([...modelOk, accuracyMissed]), { history: h });
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAILED  fashion-dense  score 43.3 / 100');
    expect(lines[1]).toBe(
      'Not passed: the target “Test accuracy at least 0.85” is missed — test accuracy 0.7500, target at least 0.85.',
    );
    expect(text).toContain(
      'What the curves say\n  - Stopped while still improving: validation accuracy was still rising at the last epoch: 0.6200 → 0.7000 → 0.7500',
    );
    expect(text).toContain(
      'Next step: Train more epochs, e.g. epochs: 6, and watch the validation curve flatten.',
    );
  });
});
