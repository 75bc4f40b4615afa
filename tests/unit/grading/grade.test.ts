import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/core/grading/format';
import {
  chanceLevels,
  gradeModel,
  hashModelWeights,
  scoreReport,
  withFailedCheck,
  type GradeInput,
} from '../../../src/core/grading/grade';
import { targetAttainment } from '../../../src/core/grading/rules';
import { ExerciseSchema, ReportSchema, type Exercise } from '../../../src/core/exercises/schema';
import { binaryPixelModel, litImages, pixelClassifier, tf, useCpuBackend } from './tiny-models';

beforeAll(useCpuBackend);

function exercise(overrides: Partial<Exercise> = {}): Exercise {
  return ExerciseSchema.parse({
    id: 'tiny-pixels',
    title: 'Tiny pixels',
    category: 'cnn',
    difficulty: 'beginner',
    kind: 'train',
    targets: [{ metric: 'accuracy', atLeast: 0.9 }],
    rules: [
      { type: 'maxParams', value: 100 },
      { type: 'requiresLayer', layer: 'Dense' },
      { type: 'maxEpochs', value: 5 },
    ],
    ...overrides,
  });
}

/**
 * The 3-class case of metrics.test.ts, repeated 60 times (600 images, so three predict batches of
 * 256, 256 and 88): the model predicts the lit pixel, so predictions are 0 0 0 1 1 2 2 2 2 2 against
 * labels 0 0 0 0 1 1 1 2 2 2: accuracy 0.7, macro F1 0.669047619.
 */
const PATTERN_PREDICTED = [0, 0, 0, 1, 1, 2, 2, 2, 2, 2];
const PATTERN_LABELS = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
const REPEATS = 60;

function threeClassInput(xs: tf.Tensor4D, ex: Exercise): GradeInput {
  const labels = Int32Array.from({ length: 10 * REPEATS }, (_, i) => PATTERN_LABELS[i % 10]);
  return {
    exercise: ex,
    test: { xs, labels, count: labels.length },
    classNames: ['zero', 'one', 'two'],
    epochs: 3,
    trainSeconds: 12.5,
    backend: 'cpu',
    datasetHash: 'ab'.repeat(32),
  };
}

function threeClassImages(): tf.Tensor4D {
  return litImages(Array.from({ length: 10 * REPEATS }, (_, i) => PATTERN_PREDICTED[i % 10]));
}

describe('gradeModel', () => {
  it('grades a fixed-weight model to the hand-checked figures and score', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const before = tf.memory().numTensors;
    const report = await gradeModel(tf, model, threeClassInput(xs, exercise()));
    expect(tf.memory().numTensors).toBe(before);

    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report.metrics.testCount).toBe(600);
    expect(report.metrics.accuracy).toBeCloseTo(0.7, 12);
    expect(report.metrics.macroF1).toBeCloseTo(0.669047619, 8);
    expect(report.metrics.confusionMatrix).toEqual([
      [180, 60, 0],
      [0, 60, 120],
      [0, 0, 180],
    ]);
    expect(report.metrics.perClass.map((c) => c.support)).toEqual([240, 180, 180]);
    // Right answers cost −ln(e^10/(e^10+2)) = ln(1 + 2e^−10); wrong ones 10 + ln(1 + 2e^−10);
    // 30% are wrong: loss = 3 + ln(1 + 2e^−10) ≈ 3.0000908.
    expect(report.metrics.loss).toBeCloseTo(3 + Math.log1p(2 * Math.exp(-10)), 4);
    expect(report.metrics.rocAuc).toBeUndefined();
    expect(report.metrics.topKAccuracy).toBeUndefined(); // k = 3, 5 are not below 3 classes
    expect(report.params).toBe(15);
    expect(report.epochs).toBe(3);
    expect(report.backend).toBe('cpu');
    expect(report.timings.trainSeconds).toBe(12.5);
    expect(report.modelHash).toMatch(/^[0-9a-f]{64}$/);

    expect(report.checks.map((c) => [c.id, c.passed])).toEqual([
      ['model:inputShape', true],
      ['model:output', true],
      ['model:finite', true],
      ['target:accuracy:test', false],
      ['rule:maxParams', true],
      ['rule:requiresLayer:Dense', true],
      ['rule:maxEpochs', true],
    ]);
    expect(report.checks[3].detail).toBe('test accuracy 0.7000, target at least 0.9');
    // Chance is the majority class, 240 of 600 = 0.4: attainment (0.7 − 0.4) / (0.9 − 0.4) = 0.6;
    // no rule fails: 50 × 0.6 = 30 (docs/grading.md)
    expect(report.passed).toBe(false);
    expect(report.score).toBe(30);

    xs.dispose();
    model.dispose();
  });

  it('scores exactly 100 when every check passes', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const ex = exercise({ targets: [{ metric: 'accuracy', split: 'test', atLeast: 0.7 }] });
    const report = await gradeModel(tf, model, threeClassInput(xs, ex));
    expect(report.passed).toBe(true);
    expect(report.score).toBe(100);
    xs.dispose();
    model.dispose();
  });

  it('lists an input-shape or output-units rule that restates a model check once', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const restating = exercise({
      rules: [
        { type: 'inputShape', shape: [2, 2, 1] },
        { type: 'outputUnits', units: 3 },
      ],
    });
    const once = await gradeModel(tf, model, threeClassInput(xs, restating));
    expect(once.checks.map((c) => c.id)).toEqual([
      'model:inputShape',
      'model:output',
      'model:finite',
      'target:accuracy:test',
    ]);
    // A rule that asks something else (4 units for 3 classes) stays, next to the model check.
    const other = await gradeModel(
      tf,
      model,
      threeClassInput(xs, exercise({ rules: [{ type: 'outputUnits', units: 4 }] })),
    );
    expect(other.checks.filter((c) => c.id === 'rule:outputUnits')).toMatchObject([{ passed: false }]);
    xs.dispose();
    model.dispose();
  });

  it('turns a model of the wrong shape into failed checks, not a throw', async () => {
    const model = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [3, 3, 1] }),
        tf.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    const xs = threeClassImages();
    const before = tf.memory().numTensors;
    const report = await gradeModel(tf, model, threeClassInput(xs, exercise()));
    expect(tf.memory().numTensors).toBe(before);
    expect(ReportSchema.safeParse(report).success).toBe(true);

    expect(report.passed).toBe(false);
    expect(report.metrics.accuracy).toBe(0);
    expect(report.metrics.perClass.map((c) => c.support)).toEqual([240, 180, 180]);
    expect(report.metrics.loss).toBeUndefined();
    const input = report.checks.find((c) => c.id === 'model:inputShape');
    const output = report.checks.find((c) => c.id === 'model:output');
    expect(input).toMatchObject({ passed: false, detail: 'input shape [null,3,3,1], expected [null,2,2,1]' });
    expect(output).toMatchObject({
      passed: false,
      detail: 'output shape [null,4], expected [null,3]: the last layer needs 3 units, one per class',
    });
    // Targets: accuracy 0, below chance → attainment 0: 50 × 0 × ½² = 0
    expect(report.score).toBe(0);
    xs.dispose();
    model.dispose();
  });

  it('grades a binary sigmoid model with ROC-AUC (hand-checked: 0.75)', async () => {
    // Lit pixels 0 0 1 1 2 2 give p(class 1) ≈ 1, 1, 0, 0, 0.5, 0.5; labels 1 0 0 0 1 0.
    // Predictions (p > 0.5 wins; 0.5 ties go to class 0): 1 1 0 0 0 0 → 4 of 6 right.
    // AUC over 2 positives × 4 negatives: the p≈1 positive ties one negative, beats three → 3.5;
    // the 0.5 positive loses to one, beats two, ties one → 2.5; (3.5 + 2.5) / 8 = 0.75.
    const model = binaryPixelModel('sigmoid');
    const xs = litImages([0, 0, 1, 1, 2, 2]);
    const labels = [1, 0, 0, 0, 1, 0];
    const report = await gradeModel(tf, model, {
      exercise: exercise({ targets: [{ metric: 'rocAuc', split: 'test', atLeast: 0.7 }], rules: [] }),
      test: { xs, labels, count: 6 },
      classNames: ['ok', 'defect'],
      epochs: 1,
      trainSeconds: 1,
      backend: 'cpu',
      datasetHash: 'x',
    });
    expect(ReportSchema.safeParse(report).success).toBe(true);
    expect(report.checks.find((c) => c.id === 'model:output')?.passed).toBe(true);
    expect(report.metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(report.metrics.rocAuc).toBeCloseTo(0.75, 12);
    expect(report.passed).toBe(true);
    xs.dispose();
    model.dispose();
  });

  it("decides binary predictions at the learner's threshold: recall up, precision down", async () => {
    // p(class 1) ≈ 1, 1, 0, 0, 0.5, 0.5 for labels 1 0 0 0 1 0 (see above).
    // At 0.5 (strictly above wins): predictions 1 1 0 0 0 0 → recall 1/2, precision 1/2.
    // At 0.4: predictions 1 1 0 0 1 1 → recall 2/2, precision 2/4; accuracy stays 4/6.
    const model = binaryPixelModel('sigmoid');
    const xs = litImages([0, 0, 1, 1, 2, 2]);
    const grade = (threshold?: number) =>
      gradeModel(tf, model, {
        exercise: exercise({ targets: [{ metric: 'recall', split: 'test', atLeast: 0.9 }], rules: [] }),
        test: { xs, labels: [1, 0, 0, 0, 1, 0], count: 6 },
        classNames: ['ok', 'defect'],
        epochs: 1,
        trainSeconds: 1,
        backend: 'cpu',
        datasetHash: 'x',
        threshold,
      });
    const atHalf = await grade();
    expect(atHalf.metrics.binary).toEqual({ threshold: 0.5, recall: 0.5, precision: 0.5 });
    expect(atHalf.passed).toBe(false);
    const atLower = await grade(0.4);
    expect(atLower.metrics.binary).toEqual({ threshold: 0.4, recall: 1, precision: 0.5 });
    expect(atLower.metrics.accuracy).toBeCloseTo(4 / 6, 12);
    expect(atLower.checks.find((c) => c.id === 'target:recall:test')?.passed).toBe(true);
    xs.dispose();
    model.dispose();
  });

  it('rejects a single linear output unit with a hint', async () => {
    const model = binaryPixelModel('linear');
    const xs = litImages([0, 1]);
    const report = await gradeModel(tf, model, {
      exercise: exercise({ targets: [], rules: [] }),
      test: { xs, labels: [1, 0], count: 2 },
      classNames: ['ok', 'defect'],
      epochs: 1,
      trainSeconds: 1,
      backend: 'cpu',
      datasetHash: 'x',
    });
    expect(report.checks.find((c) => c.id === 'model:output')?.detail).toBe(
      "output shape [null,1] with activation 'linear': a single output unit needs activation 'sigmoid'",
    );
    expect(report.passed).toBe(false);
    xs.dispose();
    model.dispose();
  });

  it('fails "predictions are finite" for a model that outputs NaN, and the report stays valid', async () => {
    const model = pixelClassifier();
    const nanKernel = tf.fill([4, 3], NaN);
    const bias = tf.zeros([3]);
    model.layers[1].setWeights([nanKernel, bias]);
    nanKernel.dispose();
    bias.dispose();
    const xs = threeClassImages();
    const report = await gradeModel(tf, model, threeClassInput(xs, exercise()));
    expect(ReportSchema.safeParse(report).success).toBe(true);
    const finite = report.checks.find((c) => c.id === 'model:finite');
    expect(finite?.passed).toBe(false);
    expect(finite?.detail).toMatch(
      /^1,800 of 600 × 3 probabilities are NaN or infinite: training diverged\. Try a lower/,
    );
    expect(report.metrics.loss).toBeUndefined();
    expect(report.passed).toBe(false);
    xs.dispose();
    model.dispose();
  });

  it('reads validation figures from the run, including Keras’s `acc`', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const ex = exercise({ targets: [{ metric: 'accuracy', split: 'validation', atLeast: 0.8 }], rules: [] });
    const report = await gradeModel(tf, model, {
      ...threeClassInput(xs, ex),
      validationMetrics: { acc: 0.85 },
    });
    expect(report.checks.find((c) => c.id === 'target:accuracy:validation')).toMatchObject({
      passed: true,
      detail: 'validation accuracy 0.8500, target at least 0.8',
    });
    xs.dispose();
    model.dispose();
  });
});

describe('hashModelWeights', () => {
  it('is SHA-256 over the weights’ float32 bytes in order', async () => {
    const model = pixelClassifier();
    const kernel = new Float32Array([10, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0]);
    const bias = new Float32Array(3);
    const expected = createHash('sha256')
      .update(new Uint8Array(kernel.buffer))
      .update(new Uint8Array(bias.buffer))
      .digest('hex');
    expect(await hashModelWeights(model)).toBe(expected);

    const other = pixelClassifier();
    expect(await hashModelWeights(other)).toBe(expected);
    const changed = tf.zeros([3]);
    const sameKernel = tf.tensor2d(kernel, [4, 3]);
    other.layers[1].setWeights([sameKernel, changed.add(1)]);
    expect(await hashModelWeights(other)).not.toBe(expected);
    tf.dispose([changed, sameKernel]);
    model.dispose();
    other.dispose();
  });
});

describe('scoreReport', () => {
  it('is 100 only on a pass and never above half marks on a failure', () => {
    expect(scoreReport(true, [1], 3, 3)).toBe(100);
    expect(scoreReport(false, [0.99999], 3, 3)).toBe(50);
    expect(scoreReport(false, [0.5, 1], 2, 2)).toBe(37.5); // 50 × 0.75
    expect(scoreReport(false, [], 0, 1)).toBe(25); // no targets, one rule broken: 50 × ½
    expect(scoreReport(false, [1], 1, 3)).toBe(12.5); // two rules broken: 50 × ¼
    expect(scoreReport(false, [0], 3, 3)).toBe(0);
  });

  it('scores the cases of issue 13 as failures that read as failures', () => {
    // Every target met, no stopping callback (one rule broken): was 94.
    expect(scoreReport(false, [1], 5, 6)).toBe(25);
    // A dense network on the one-convolution exercise: accuracy met, Conv2D rule broken: was 85.
    expect(scoreReport(false, [1], 3, 4)).toBe(25);
    // 0.75 against a 0.85 target on 10 balanced classes: (0.75 − 0.1) / (0.85 − 0.1): was 92.
    const closeMiss = targetAttainment({ metric: 'accuracy', split: 'test', atLeast: 0.85 }, 0.75, 0.1);
    expect(scoreReport(false, [closeMiss], 3, 3)).toBe(43.3);
    // An untrained binary head at chance (0.5 of a balanced test split) against 0.9: was 82.5.
    const atChance = targetAttainment({ metric: 'accuracy', split: 'test', atLeast: 0.9 }, 0.5, 0.5);
    expect(scoreReport(false, [atChance], 3, 3)).toBe(0);
  });
});

describe('withFailedCheck', () => {
  it('counts a check the host adds after grading as one more broken rule', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const ex = exercise({ targets: [{ metric: 'accuracy', split: 'test', atLeast: 0.7 }] });
    const passed = await gradeModel(tf, model, threeClassInput(xs, ex));
    const time = {
      id: 'limit:time',
      label: 'Within the time limit',
      passed: false,
      detail: 'stopped at 60 s',
    };
    const failed = withFailedCheck(passed, time);
    expect([failed.passed, failed.score, failed.checks.at(-1)?.id]).toEqual([false, 25, 'limit:time']);
    expect(withFailedCheck({ ...passed, passed: false, score: 30 }, time).score).toBe(15);
    xs.dispose();
    model.dispose();
  });
});

describe('chanceLevels', () => {
  it('floors accuracy at the majority class, loss at ln(classes)', () => {
    const levels = chanceLevels([{ support: 80 }, { support: 20 }], 100);
    expect(levels.accuracy).toBe(0.8);
    expect(levels.loss).toBeCloseTo(Math.log(2), 12);
    expect(levels.rocAuc).toBe(0.5);
    expect(chanceLevels([{ support: 5 }, { support: 5 }, { support: 5 }], 15).accuracy).toBeCloseTo(
      1 / 3,
      12,
    );
  });

  it('reads a loss target from chance down to the target', () => {
    const target = { metric: 'loss' as const, split: 'test' as const, atMost: 0.5 };
    expect(targetAttainment(target, Math.log(10), Math.log(10))).toBe(0);
    expect(targetAttainment(target, 0.4, Math.log(10))).toBe(1);
    expect(targetAttainment(target, 1, undefined)).toBe(0.5); // no chance level: threshold ÷ value
  });
});

describe('formatReport', () => {
  it('prints the verdict, the tables and every check', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const report = await gradeModel(tf, model, threeClassInput(xs, exercise()));
    const text = formatReport(report);
    const lines = text.split('\n');
    expect(lines[0]).toBe('FAILED  tiny-pixels  score 30.0 / 100');
    expect(text).toContain('Metrics (test split, 600 images)');
    expect(text).toMatch(/accuracy\s+0\.7000/);
    expect(text).toMatch(/class\s+precision\s+recall\s+F1\s+support/);
    expect(text).toMatch(/one\s+0\.5000\s+0\.3333\s+0\.4000\s+180/);
    expect(text).toMatch(/1 one\s+0\s+60\s+120/);
    expect(text).toContain('✗ Test accuracy at least 0.9: test accuracy 0.7000, target at least 0.9');
    expect(text).toContain('✓ At most 100 parameters: 15 parameters, budget 100');
    expect(text).toContain('Model: 15 parameters, 3 epochs');
    xs.dispose();
    model.dispose();
  });
  it('writes and prints the band score of an exercise with bands, and the hints used', async () => {
    const model = pixelClassifier();
    const xs = threeClassImages();
    const bands = { metric: 'accuracy' as const, split: 'test' as const, scores: [0.5, 0.6, 0.7, 0.8] };
    const report = await gradeModel(tf, model, threeClassInput(xs, exercise({ bands })));
    expect(report.band).toEqual({
      score: 4,
      metric: 'accuracy',
      split: 'test',
      value: 0.7,
      from: 0.7,
      to: 0.8,
    });
    expect(ReportSchema.parse({ ...report, hintsUsed: 2 }).hintsUsed).toBe(2);
    const text = formatReport({ ...report, hintsUsed: 2 });
    expect(text.split('\n')[1]).toBe('Exam score 4 of 5: accuracy 0.700, band 0.70–0.80; 2 hints used');
    const plain = await gradeModel(tf, model, threeClassInput(xs, exercise()));
    expect(plain.band).toBeUndefined();
    expect(formatReport(plain)).not.toContain('Exam score');
    xs.dispose();
    model.dispose();
  });
});
