/**
 * The grader: evaluates a trained model on the test split and writes the report.
 *
 * Order of work: check that the model fits the data (one input of the test images' shape, one
 * output of [null, numClasses], or [null, 1] with a sigmoid when the task is binary), predict the
 * test images in batches, compute every metric from the predictions (metrics.ts), check the
 * exercise's rules and targets (rules.ts), hash the weights, and score.
 *
 * A model that does not fit is a learner's mistake, not a crash: it gets a failed check that says
 * what was found and what was expected, and the report still comes back (accuracy 0, failed).
 *
 * Scoring (docs/grading.md explains it with worked examples; keep the two in step):
 *
 *   passed = every check passes
 *   T      = mean over the exercise's targets of how far the model got from chance to the target:
 *            (value − chance) / (threshold − chance), clamped to 0..1 (rules.ts `targetAttainment`,
 *            chance from `chanceLevel`); T = 1 when there are no targets
 *   F      = the other checks that fail: the exercise's rules and the model checks above
 *   score  = 100 when passed, else round(50 · T · ½^F, 1 decimal)
 *
 * so a failing report never scores above 50 (`FAILED_SCORE_MAX`), a model no better than chance
 * scores 0, and each broken rule halves what the targets earned: reaching every target while
 * breaking one rule scores 25.
 */
import type * as tfType from '@tensorflow/tfjs';
import type { TF } from '../shared/tf';
import type { Check, Exercise, MetricName, Report, Rule } from '../exercises/schema';
import { metricNames } from '../exercises/schema';
import { bandScore, FAILED_SCORE_MAX, PASSED_SCORE } from '../exercises/score';
import {
  accuracy,
  argmaxRows,
  confusionMatrix,
  crossEntropy,
  macroF1,
  perClassMetrics,
  rocAuc,
  topKAccuracy,
} from './metrics';
import {
  allLayers,
  checkRules,
  checkTargets,
  formatCount,
  formatShape,
  targetAttainment,
  type MetricsBySplit,
  type RunFacts,
} from './rules';
import { errorMessage } from '../shared/errors';

export interface GradeInput {
  exercise: Exercise;
  /** The test split: images as the model expects them (normalised), labels as class indices. */
  test: { xs: tfType.Tensor4D; labels: ArrayLike<number>; count: number };
  classNames: string[];
  /** Epochs the run trained. */
  epochs: number;
  /** Every epoch's figures, for rules on how training went (stopping callbacks, overfitting). */
  history?: { epoch: number; logs: Record<string, number> }[];
  /** Last epoch's validation figures, keyed by metric name (`acc` is read as `accuracy`). */
  validationMetrics?: Record<string, number>;
  /** Last epoch's training figures, keyed like `validationMetrics`. */
  trainMetrics?: Record<string, number>;
  trainSeconds: number;
  backend: string;
  datasetHash: string;
  /**
   * Binary tasks: the probability of class 1 at or above which an image counts as class 1.
   * Defaults to 0.5; a learner who must catch every defect lowers it (`export const threshold`).
   */
  threshold?: number;
  /** What the host knows of how training ran, beyond its history (rules.ts `RunFacts`). */
  trainingFacts?: Pick<RunFacts, 'stoppedByCallback' | 'stepsOutsideFit'>;
}

/** Images per `predict` call: large enough to keep a GPU busy, small enough for any memory. */
export const PREDICT_BATCH_SIZE = 256;

/** The k values of top-k accuracy reported (each only when k < number of classes). */
export const TOP_K_VALUES = [3, 5] as const;

/** A target on `topKAccuracy` reads top-k accuracy with this k. */
export const TARGET_TOP_K = 5;

export async function gradeModel(tf: TF, model: tfType.LayersModel, input: GradeInput): Promise<Report> {
  const startedAt = performance.now();
  const { exercise, test, classNames } = input;
  const numClasses = classNames.length;
  assertTestSplit(test, numClasses);

  const modelChecks: Check[] = [checkInputShape(model, test.xs), checkOutput(model, numClasses)];
  const fits = modelChecks.every((c) => c.passed);

  let predictions: Int32Array | null = null;
  let probs: Float32Array | null = null;
  if (fits) {
    try {
      probs = await predictProbabilities(tf, model, test.xs, numClasses);
    } catch (error) {
      modelChecks.push({
        id: 'model:predicts',
        label: 'Model predicts the test images',
        passed: false,
        detail: `model.predict failed: ${errorMessage(error)}`,
      });
    }
  }
  if (probs) {
    modelChecks.push(checkFinite(probs, test.count, numClasses));
    predictions =
      numClasses === 2 ? thresholdPredictions(probs, input.threshold ?? 0.5) : argmaxRows(probs, numClasses);
  }

  const labels = test.labels;
  // Without predictions every example counts as wrong: the confusion matrix stays all 0 while
  // per-class support still shows what the test split holds.
  const confusion = predictions ? confusionMatrix(labels, predictions, numClasses) : zeroMatrix(numClasses);
  const perClass = perClassMetrics(confusion, classNames);
  if (!predictions) {
    const support = countLabels(labels, numClasses);
    perClass.forEach((c, i) => (c.support = support[i]));
  }
  const testMetrics: Report['metrics'] = {
    accuracy: predictions ? accuracy(labels, predictions) : 0,
    macroF1: macroF1(perClass),
    ...(numClasses === 2
      ? {
          binary: {
            threshold: input.threshold ?? 0.5,
            precision: perClass[1].precision,
            recall: perClass[1].recall,
          },
        }
      : {}),
    perClass,
    confusionMatrix: confusion,
    classNames: [...classNames],
    testCount: test.count,
  };
  if (probs) {
    const loss = crossEntropy(labels, probs, numClasses);
    if (Number.isFinite(loss)) testMetrics.loss = loss;
    if (numClasses === 2) {
      const positiveScores = Float32Array.from({ length: test.count }, (_, i) => probs[i * 2 + 1]);
      const auc = positiveScores.every(Number.isFinite) ? rocAuc(labels, positiveScores) : NaN;
      if (Number.isFinite(auc)) testMetrics.rocAuc = auc;
    }
    const topK: Record<string, number> = {};
    for (const k of TOP_K_VALUES) {
      if (k < numClasses) topK[String(k)] = topKAccuracy(labels, probs, numClasses, k);
    }
    if (Object.keys(topK).length) testMetrics.topKAccuracy = topK;
  }

  const metricsBySplit: MetricsBySplit = {
    test: {
      accuracy: testMetrics.accuracy,
      macroF1: testMetrics.macroF1,
      loss: testMetrics.loss,
      rocAuc: testMetrics.rocAuc,
      recall: testMetrics.binary?.recall,
      precision: testMetrics.binary?.precision,
      topKAccuracy: testMetrics.topKAccuracy?.[String(TARGET_TOP_K)],
    },
    validation: readRunMetrics(input.validationMetrics),
    train: readRunMetrics(input.trainMetrics),
  };
  const targetChecks = checkTargets(exercise.targets, metricsBySplit);
  const ruleChecks = checkRules(model, exercise.rules, {
    epochs: input.epochs,
    history: input.history,
    ...input.trainingFacts,
  }).filter((check, i) => !restatesModelCheck(exercise.rules[i], check, modelChecks, test.xs, numClasses));
  const checks = [...modelChecks, ...targetChecks, ...ruleChecks];

  const passed = checks.every((c) => c.passed);
  const chance = chanceLevels(testMetrics.perClass, test.count);
  const attainments = exercise.targets.map((t) =>
    targetAttainment(t, metricsBySplit[t.split]?.[t.metric], chance[t.metric]),
  );
  const otherChecks = [...modelChecks, ...ruleChecks];
  const score = scoreReport(
    passed,
    attainments,
    otherChecks.filter((c) => c.passed).length,
    otherChecks.length,
  );

  const modelHash = await hashModelWeights(model);
  const band = exercise.bands
    ? bandScore(exercise.bands, metricsBySplit[exercise.bands.split]?.[exercise.bands.metric])
    : undefined;
  return {
    format: 'cv-lab-report',
    version: 1,
    exerciseId: exercise.id,
    passed,
    score,
    metrics: testMetrics,
    checks,
    timings: {
      trainSeconds: input.trainSeconds,
      gradeSeconds: (performance.now() - startedAt) / 1000,
    },
    backend: input.backend,
    epochs: input.epochs,
    params: model.countParams(),
    datasetHash: input.datasetHash,
    modelHash,
    gradedAt: new Date().toISOString(),
    ...(band ? { band } : {}),
  };
}

/**
 * Accuracy and cross-entropy of a model on a split the host holds (the validation images the Lab
 * handed out), named as tfjs's epoch logs name them (`acc`, `loss`), so the grader reads them as it
 * reads a run's figures. The host computes these itself: figures from the learner's own history
 * could come from any data the learner chose to call "validation".
 */
export async function evaluateFigures(
  tf: TF,
  model: tfType.LayersModel,
  split: { xs: tfType.Tensor4D; labels: ArrayLike<number> },
  numClasses: number,
  threshold = 0.5,
): Promise<Record<string, number>> {
  const probs = await predictProbabilities(tf, model, split.xs, numClasses);
  const predictions =
    numClasses === 2 ? thresholdPredictions(probs, threshold) : argmaxRows(probs, numClasses);
  const figures: Record<string, number> = { acc: accuracy(split.labels, predictions) };
  const loss = crossEntropy(split.labels, probs, numClasses);
  if (Number.isFinite(loss)) figures.loss = loss;
  return figures;
}

/**
 * Binary decisions: class 1 when its probability is above the threshold (as Keras' BinaryAccuracy). With 0.5 this is the
 * argmax; a lower threshold trades precision for recall.
 */
function thresholdPredictions(probs: Float32Array, threshold: number): Int32Array {
  const count = probs.length / 2;
  return Int32Array.from({ length: count }, (_, i) => (probs[i * 2 + 1] > threshold ? 1 : 0));
}

/**
 * The scoring formula at the top of this file (docs/grading.md), on its own so it can be tested and
 * explained: 100 for a pass; else 50 × the mean target attainment, halved for each other check that
 * fails.
 */
export function scoreReport(
  passed: boolean,
  targetAttainments: readonly number[],
  otherChecksPassed: number,
  otherChecksTotal: number,
): number {
  if (passed) return PASSED_SCORE;
  const meanAttainment = targetAttainments.length
    ? targetAttainments.reduce((sum, a) => sum + a, 0) / targetAttainments.length
    : 1;
  const failedChecks = Math.max(0, otherChecksTotal - otherChecksPassed);
  const raw = FAILED_SCORE_MAX * Math.min(1, Math.max(0, meanAttainment)) * 0.5 ** failedChecks;
  return Math.min(FAILED_SCORE_MAX, Math.round(raw * 10) / 10);
}

/**
 * A graded report failed afterwards by its host with one more check (the time limit): the check
 * counts as one more broken rule, so the score halves, and a report that had passed scores as every
 * target met with one rule broken (25). For hosts in place of `Math.min(score, 99.9)`, which left a
 * failed report at 99.9.
 */
export function withFailedCheck(report: Report, check: Check): Report {
  const score = report.passed ? scoreReport(false, [1], 0, 1) : Math.round(report.score * 5) / 10;
  return { ...report, passed: false, score, checks: [...report.checks, { ...check, passed: false }] };
}

/**
 * What each metric scores by chance on this test split, the floor of a target's attainment: a model
 * that always answers the most common class reaches its share in accuracy; uniform probabilities
 * reach ln(classes) in loss, 0.5 in ROC-AUC, and k ÷ classes in top-k accuracy. Metrics without a
 * clear floor (macro F1, precision, recall) count from 0.
 */
export function chanceLevels(
  perClass: readonly { support: number }[],
  count: number,
): Partial<Record<MetricName, number>> {
  const numClasses = perClass.length;
  if (numClasses < 2 || count <= 0) return {};
  const majority = Math.max(...perClass.map((c) => c.support)) / count;
  return {
    accuracy: Math.max(1 / numClasses, majority),
    loss: Math.log(numClasses),
    rocAuc: 0.5,
    topKAccuracy: Math.min(1, TARGET_TOP_K / numClasses),
  };
}

/**
 * SHA-256 (hex) over the bytes of every weight, in `model.weights` order: two models with the
 * same architecture and the same weights hash alike, whatever their names.
 */
export async function hashModelWeights(model: tfType.LayersModel): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const weight of model.weights) {
    // `read()` hands out the variable's own tensor: read its data, never dispose it.
    const values = await weight.read().data();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    parts.push(bytes);
    total += bytes.byteLength;
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.byteLength;
  }
  const digest = await crypto.subtle.digest('SHA-256', all);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Runs the model over the test images in batches and returns their class probabilities as one
 * row-major [count, numClasses] array. A single sigmoid unit p becomes the two columns [1−p, p].
 * Every intermediate tensor lives inside `tf.tidy`; the batch output is disposed once read.
 */
export async function predictProbabilities(
  tf: TF,
  model: tfType.LayersModel,
  xs: tfType.Tensor4D,
  numClasses: number,
): Promise<Float32Array> {
  const count = xs.shape[0];
  const probs = new Float32Array(count * numClasses);
  for (let start = 0; start < count; start += PREDICT_BATCH_SIZE) {
    const size = Math.min(PREDICT_BATCH_SIZE, count - start);
    const output = tf.tidy(() => {
      const batch = xs.slice([start, 0, 0, 0], [size, -1, -1, -1]);
      return model.predict(batch) as tfType.Tensor;
    });
    try {
      const values = await output.data();
      const units = output.shape[output.shape.length - 1] ?? 1;
      if (units === 1) {
        for (let i = 0; i < size; i++) {
          probs[(start + i) * 2] = 1 - values[i];
          probs[(start + i) * 2 + 1] = values[i];
        }
      } else {
        probs.set(values, start * numClasses);
      }
    } finally {
      output.dispose();
    }
  }
  return probs;
}

/**
 * Exercises state the model's input and output as rules too. A rule that asks exactly what a model
 * check asks (the test images' shape; one unit per class, where that is the only answer) and agrees
 * with it is listed once, as the model check: the report showed both.
 */
function restatesModelCheck(
  rule: Rule,
  check: Check,
  modelChecks: readonly Check[],
  xs: tfType.Tensor4D,
  numClasses: number,
): boolean {
  const imageShape = xs.shape.slice(1);
  const twin =
    rule.type === 'inputShape' &&
    rule.shape.length === imageShape.length &&
    rule.shape.every((d, i) => d === imageShape[i])
      ? 'model:inputShape'
      : rule.type === 'outputUnits' && numClasses !== 2 && rule.units === numClasses
        ? 'model:output'
        : null;
  return twin !== null && modelChecks.some((c) => c.id === twin && c.passed === check.passed);
}

function checkInputShape(model: tfType.LayersModel, xs: tfType.Tensor4D): Check {
  const imageShape = xs.shape.slice(1);
  const label = 'Model input matches the test images';
  if (model.inputs.length !== 1) {
    return {
      id: 'model:inputShape',
      label,
      passed: false,
      detail: `the model has ${model.inputs.length} inputs, expected one of shape ${formatShape([null, ...imageShape])}`,
    };
  }
  const shape = model.inputs[0].shape;
  // A null dimension (a fully convolutional model) accepts any size, as tf itself does.
  const passed =
    shape.length === xs.rank && shape.slice(1).every((d, i) => d === null || d === imageShape[i]);
  return {
    id: 'model:inputShape',
    label,
    passed,
    detail: `input shape ${formatShape(shape)}, expected ${formatShape([null, ...imageShape])}`,
  };
}

function checkOutput(model: tfType.LayersModel, numClasses: number): Check {
  const label =
    numClasses === 2
      ? 'Model outputs 2 classes or one sigmoid probability'
      : `Model outputs ${numClasses} classes`;
  const expected = numClasses === 2 ? `[null,2] or [null,1] with a sigmoid` : formatShape([null, numClasses]);
  if (model.outputs.length !== 1) {
    return {
      id: 'model:output',
      label,
      passed: false,
      detail: `the model has ${model.outputs.length} outputs, expected one: ${expected}`,
    };
  }
  const shape = model.outputs[0].shape;
  const found = `output shape ${formatShape(shape)}`;
  if (shape.length === 2 && shape[1] === numClasses) {
    return { id: 'model:output', label, passed: true, detail: `${found}, expected ${expected}` };
  }
  if (numClasses === 2 && shape.length === 2 && shape[1] === 1) {
    const activation = lastActivation(model);
    const passed = activation === undefined || activation === 'sigmoid';
    return {
      id: 'model:output',
      label,
      passed,
      detail: passed
        ? `${found} with a sigmoid: one probability of class "1"`
        : `${found} with activation '${activation}': a single output unit needs activation 'sigmoid'`,
    };
  }
  return {
    id: 'model:output',
    label,
    passed: false,
    detail: `${found}, expected ${expected}: the last layer needs ${numClasses} units, one per class`,
  };
}

/** The activation of the model's last layer, when that layer has one in its config. */
function lastActivation(model: tfType.LayersModel): string | undefined {
  const layers = allLayers(model);
  const last = layers[layers.length - 1];
  const activation = last?.getConfig().activation;
  return typeof activation === 'string' ? activation : undefined;
}

function checkFinite(probs: Float32Array, count: number, numClasses: number): Check {
  let bad = 0;
  for (let i = 0; i < probs.length; i++) if (!Number.isFinite(probs[i])) bad++;
  const size = `${formatCount(count)} × ${numClasses} probabilities`;
  return {
    id: 'model:finite',
    label: 'Predictions are finite',
    passed: bad === 0,
    detail:
      bad === 0
        ? `${size}, all finite`
        : `${formatCount(bad)} of ${size} are NaN or infinite: training diverged. ` +
          'Try a lower learning rate, inputs scaled to [0, 1], or fewer epochs.',
  };
}

function zeroMatrix(size: number): number[][] {
  return Array.from({ length: size }, () => new Array<number>(size).fill(0));
}

function countLabels(labels: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0 && labels[i] < numClasses) counts[labels[i]]++;
  return counts;
}

function readRunMetrics(
  figures: Record<string, number> | undefined,
): Partial<Record<MetricName, number>> | undefined {
  if (!figures) return undefined;
  const read: Partial<Record<MetricName, number>> = {};
  for (const name of metricNames) {
    const value = figures[name] ?? (name === 'accuracy' ? figures.acc : undefined);
    if (value !== undefined && Number.isFinite(value)) read[name] = value;
  }
  return read;
}

function assertTestSplit(test: GradeInput['test'], numClasses: number): void {
  // These are the caller's contract (the grader's own data), not the learner's: fail loudly.
  if (test.xs.rank !== 4 || test.xs.shape[0] !== test.count || test.labels.length !== test.count) {
    throw new Error(
      `gradeModel: test split has ${test.count} count, images ${formatShape(test.xs.shape)} and ${test.labels.length} labels`,
    );
  }
  if (numClasses < 2) throw new Error(`gradeModel: need at least two class names, got ${numClasses}`);
}
