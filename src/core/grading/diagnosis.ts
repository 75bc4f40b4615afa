/**
 * The report in words: what failed and why, what the training curves say, and one next step.
 *
 * The grader's checks say *what* is wrong ("test accuracy 0.7500, target at least 0.85"); this
 * module says it the way a teacher reading over a learner's shoulder would. It reads two things:
 *
 * 1. the report's failed checks, heaviest first (a model that does not fit the data, then a broken
 *    rule, then a limit, then a missed target: the order in which they cost score, docs/grading.md),
 *    which give the summary line;
 * 2. the run's epoch history (tfjs names: `loss`, `acc`, `val_loss`, `val_acc`), which gives the
 *    curve readings below, each with the figures that show it and what to do about it.
 *
 * Curve readings, and the figures each needs:
 *
 * - **diverged**: the loss became NaN or infinite (or an epoch lost its loss figure, which is how a
 *   stored history keeps a NaN), or ended far above where it started.
 * - **learning rate too high**: the loss went up in at least half of the epochs, or rose early.
 * - **learning rate too low**: the loss barely moved (under 2% from first to last epoch over 3 or
 *   more epochs) while accuracy stayed low.
 * - **overfitting**: training accuracy well above validation accuracy (a gap of 0.1 or more), or
 *   validation loss climbing back from its lowest while training loss kept falling.
 * - **stopped too early**: a target was missed and the curve was still improving at the last epoch.
 * - **underfitting**: a target was missed, training accuracy is no better than validation or test
 *   accuracy, and the curve has flattened: the model is not learning enough, not memorising.
 *
 * Pure: no tfjs, no DOM. The page (ReportView) and the CLI (format.ts) print what it returns.
 */
import type { Check, Report } from '../exercises/schema';

/** One epoch of the run's history, as `fit` logs it (and a stored result keeps it). */
export interface EpochLogs {
  epoch: number;
  logs: Record<string, number>;
}

export type ReadingKind =
  'diverged' | 'learning-rate-high' | 'learning-rate-low' | 'overfitting' | 'stopped-early' | 'underfitting';

/** One thing the curves show, with its evidence and what to try. */
export interface CurveReading {
  kind: ReadingKind;
  /** A short heading: "Overfitting". */
  title: string;
  /** What the figures show, with the figures: "epoch 10: training accuracy 0.99, validation 0.82". */
  evidence: string;
  /** One concrete thing to change. */
  nextStep: string;
}

export interface Diagnosis {
  /** The first line a learner reads: the verdict and the heaviest reason, in words. */
  summary: string;
  /** Every failed check, heaviest first, as a sentence. */
  failures: string[];
  /** What the epoch history shows; empty without a history or when the curves look healthy. */
  readings: CurveReading[];
  /** The one next step to take: for the heaviest failure, or the first curve reading. */
  nextStep: string | null;
}

/** Training accuracy this far above validation accuracy reads as overfitting. */
export const OVERFIT_GAP = 0.1;
/** A loss that moved less than this share of its first value over the run barely moved. */
const FLAT_LOSS_SHARE = 0.02;
/** An accuracy that rose at least this much in the last epoch was still improving. */
const STILL_IMPROVING = 0.005;

export function diagnoseReport(report: Report, history: readonly EpochLogs[] = []): Diagnosis {
  const failed = report.checks.filter((c) => !c.passed).sort((a, b) => weight(a) - weight(b));
  const curves = readCurves(history);
  const targetMissed = failed.some((c) => c.id.startsWith('target:'));
  const readings = readingsOf(curves, {
    targetMissed,
    testAccuracy: report.metrics.accuracy,
    epochLimit: epochLimitOf(report.checks),
  });

  if (report.passed) {
    const count = report.checks.length;
    const summary =
      `Passed: all ${count} check${count === 1 ? '' : 's'} hold` +
      (readings.length ? `, though the curves show ${lowerFirst(readings[0].title)}.` : '.');
    return { summary, failures: [], readings, nextStep: readings[0]?.nextStep ?? null };
  }

  const failures = failed.map(describeFailure);
  const first = failed[0];
  const more = failed.length - 1;
  const summary = first
    ? `Not passed: ${describeFailure(first)}${more ? ` (${more} more check${more === 1 ? '' : 's'} fail${more === 1 ? 's' : ''})` : ''}`
    : 'Not passed.';
  const firstStep = first ? stepFor(first, readings) : null;
  return { summary, failures, readings, nextStep: firstStep ?? readings[0]?.nextStep ?? null };
}

// ---- failed checks ---------------------------------------------------------------------------

/** Heavier failures first: they cost more score and usually explain the lighter ones. */
function weight(check: Check): number {
  if (check.id.startsWith('model:')) return 0;
  if (check.id.startsWith('rule:')) return 1;
  if (check.id.startsWith('limit:')) return 2;
  if (check.id.startsWith('target:')) return 3;
  return 4;
}

function describeFailure(check: Check): string {
  const detail = withStop(check.detail);
  if (check.id.startsWith('model:')) return `the model does not fit this exercise — ${detail}`;
  if (check.id.startsWith('rule:')) return `the rule “${check.label}” is broken — ${detail}`;
  if (check.id.startsWith('target:')) return `the target “${check.label}” is missed — ${detail}`;
  if (check.id.startsWith('case:')) return `hidden case “${check.label}” fails — ${detail}`;
  return `${lowerFirst(check.label)} — ${detail}`;
}

/** The fix for a failed check, in one sentence; for a missed target, what the curves suggest. */
function stepFor(check: Check, readings: CurveReading[]): string | null {
  const [kind, name = '', arg = ''] = check.id.split(':');
  if (kind === 'model') {
    if (name === 'inputShape') {
      return 'Give the first layer the shape of one image (inputShape: [height, width, channels], as the check says).';
    }
    if (name === 'output') {
      return 'Set units in the last Dense layer to the number of classes, with activation: "softmax" (or one sigmoid unit on a two-class task).';
    }
    if (name === 'finite') {
      return 'Lower the learning rate tenfold and check that the images are scaled to [0, 1].';
    }
    return 'Make sure train(lab) returns the model it trained, built for these images.';
  }
  if (kind === 'rule') {
    switch (name) {
      case 'requiresLayer':
        return `Add a ${arg} layer to the model.`;
      case 'forbidsLayer':
        return `Take the ${arg} layer out of the model.`;
      case 'maxLayerCount':
        return `Use no more ${arg} layers than the rule allows.`;
      case 'requiresAnyLayer':
        return `Add ${check.label.replace(/^Uses /, '')} to the model.`;
      case 'maxParams':
        return 'Shrink the model: fewer units in the Dense layers, or pooling before Flatten.';
      case 'maxTrainableParams':
        return 'Freeze the pretrained base (base.trainable = false) and train only the head.';
      case 'maxEpochs':
        return 'Train fewer epochs in all fit calls together, and train only with model.fit.';
      case 'stopsAtTarget':
        return 'Write a callback whose onEpochEnd sets this.model.stopTraining = true once the training figure reaches the target.';
      case 'maxTrainValidationGap':
        return (
          readings.find((r) => r.kind === 'overfitting')?.nextStep ??
          'Close the gap between training and validation: augmentation, dropout or fewer epochs.'
        );
      case 'inputShape':
      case 'outputUnits':
        return 'Build the model with the shape the rule names.';
    }
    return null;
  }
  if (kind === 'limit')
    return 'Train fewer epochs or on fewer images, so the run ends within the time limit.';
  if (kind === 'target') {
    return (
      readings[0]?.nextStep ??
      'Look at the per-class figures and the confusion matrix for the classes the model confuses, then give the model more capacity or more epochs.'
    );
  }
  if (kind === 'case')
    return 'Call your function on the input of the first failing case and compare with the expected value.';
  return null;
}

// ---- the curves ------------------------------------------------------------------------------

interface Curves {
  epochs: number;
  /** `NaN` where the epoch's loss was not finite (or missing after epochs that had one). */
  loss: number[];
  accuracy: (number | undefined)[];
  valLoss: (number | undefined)[];
  valAccuracy: (number | undefined)[];
}

function readCurves(history: readonly EpochLogs[]): Curves {
  let sawLoss = false;
  const loss = history.map((h) => {
    const value = h.logs.loss;
    if (value === undefined) return sawLoss ? NaN : undefined;
    sawLoss = true;
    return value;
  });
  return {
    epochs: history.length,
    loss: loss.filter((v): v is number => v !== undefined),
    accuracy: history.map((h) => finite(h.logs.acc ?? h.logs.accuracy)),
    valLoss: history.map((h) => finite(h.logs.val_loss)),
    valAccuracy: history.map((h) => finite(h.logs.val_acc ?? h.logs.val_accuracy)),
  };
}

function readingsOf(
  curves: Curves,
  context: { targetMissed: boolean; testAccuracy: number; epochLimit: number | undefined },
): CurveReading[] {
  const readings: CurveReading[] = [];
  if (curves.epochs === 0) return readings;
  const { loss } = curves;

  const diverged = readDivergence(loss);
  if (diverged) {
    readings.push(diverged);
  } else {
    const high = readHighLearningRate(loss);
    if (high) readings.push(high);
    else {
      const low = readLowLearningRate(loss, lastDefined(curves.accuracy));
      if (low) readings.push(low);
    }
  }
  const overfit = readOverfitting(curves);
  if (overfit) readings.push(overfit);
  if (context.targetMissed && !diverged) {
    const early = readStoppedEarly(curves, context.epochLimit);
    if (early) readings.push(early);
    else if (!overfit && !readings.some((r) => r.kind === 'learning-rate-low')) {
      const under = readUnderfitting(curves, context.testAccuracy);
      if (under) readings.push(under);
    }
  }
  return readings;
}

function readDivergence(loss: number[]): CurveReading | null {
  const bad = loss.findIndex((v) => !Number.isFinite(v));
  if (bad !== -1) {
    const before = loss.slice(Math.max(0, bad - 3), bad).map(fmt);
    return {
      kind: 'diverged',
      title: 'Training diverged',
      evidence:
        `the loss became NaN or infinite in epoch ${bad + 1}` +
        (before.length ? ` (before it: ${before.join(' → ')})` : ' (the very first epoch)'),
      nextStep:
        'Lower the learning rate tenfold (e.g. tf.train.adam(0.0001)) and check that the images are scaled to [0, 1] and the labels match the loss.',
    };
  }
  if (loss.length >= 2) {
    const first = loss[0];
    const last = loss[loss.length - 1];
    const lowest = Math.min(...loss);
    if (last > first * 1.5 && last > lowest * 2) {
      return {
        kind: 'diverged',
        title: 'Training made the model worse',
        evidence: `the loss rose from ${fmt(first)} in epoch 1 to ${fmt(last)} in epoch ${loss.length} (lowest ${fmt(lowest)})`,
        nextStep: 'Lower the learning rate tenfold (e.g. tf.train.adam(0.0001)): each step overshoots.',
      };
    }
  }
  return null;
}

function readHighLearningRate(loss: number[]): CurveReading | null {
  if (loss.length < 3) return null;
  const steps = loss.length - 1;
  let rises = 0;
  for (let i = 1; i < loss.length; i++) if (loss[i] > loss[i - 1] * 1.001) rises++;
  const risesEarly = loss[1] > loss[0] * 1.05;
  if (rises * 2 < steps && !(risesEarly && loss[loss.length - 1] > loss[0] * 0.9)) return null;
  return {
    kind: 'learning-rate-high',
    title: 'Learning rate too high',
    evidence: `the loss went up in ${rises} of ${steps} epochs instead of falling steadily (${series(loss)})`,
    nextStep:
      'Lower the learning rate, e.g. tf.train.adam(0.0003) instead of 0.01: the loss should fall a little every epoch.',
  };
}

function readLowLearningRate(loss: number[], accuracy: number | undefined): CurveReading | null {
  if (loss.length < 3) return null;
  const first = loss[0];
  const last = loss[loss.length - 1];
  if (!(first > 0) || (first - last) / first >= FLAT_LOSS_SHARE) return null;
  if (accuracy !== undefined && accuracy >= 0.9) return null;
  const change = ((first - last) / first) * 100;
  return {
    kind: 'learning-rate-low',
    title: 'Learning rate too low (or nothing is training)',
    evidence:
      `the loss barely moved in ${loss.length} epochs: ${fmt(first)} → ${fmt(last)} (${change.toFixed(1)}%)` +
      (accuracy !== undefined ? `, training accuracy ${fmt(accuracy)}` : ''),
    nextStep:
      "Raise the learning rate tenfold (tf.train.adam(0.001) is Adam's default), and check that the layers you mean to train have trainable: true.",
  };
}

function readOverfitting(curves: Curves): CurveReading | null {
  const last = curves.epochs - 1;
  const train = curves.accuracy[last];
  const validation = curves.valAccuracy[last];
  const parts: string[] = [];
  if (train !== undefined && validation !== undefined && train - validation >= OVERFIT_GAP) {
    parts.push(
      `epoch ${last + 1}: training accuracy ${fmt(train)}, validation accuracy ${fmt(validation)} (gap ${fmt(train - validation)})`,
    );
  }
  const valLoss = curves.valLoss;
  const defined = valLoss
    .map((v, i) => [v, i] as const)
    .filter((p): p is readonly [number, number] => p[0] !== undefined);
  if (defined.length >= 3) {
    const [lowest, at] = defined.reduce((best, p) => (p[0] < best[0] ? p : best));
    const [final, finalAt] = defined[defined.length - 1];
    const trainLoss = curves.loss;
    const trainFell = trainLoss.length > at && trainLoss[trainLoss.length - 1] < trainLoss[at];
    if (at < finalAt && final > lowest * 1.1 && trainFell) {
      parts.push(
        `validation loss was lowest in epoch ${at + 1} (${fmt(lowest)}) and rose to ${fmt(final)} by epoch ${finalAt + 1} while the training loss kept falling`,
      );
    }
  }
  if (!parts.length) return null;
  return {
    kind: 'overfitting',
    title: 'Overfitting: the model memorises the training images',
    evidence: parts.join('; '),
    nextStep:
      'Add augmentation (random flips) or a Dropout layer, or stop at the best validation epoch with tf.callbacks.earlyStopping({ monitor: "val_loss", patience: 2 }).',
  };
}

function readStoppedEarly(curves: Curves, epochLimit: number | undefined): CurveReading | null {
  const series_ = curves.valAccuracy.some((v) => v !== undefined) ? curves.valAccuracy : curves.accuracy;
  const name = series_ === curves.valAccuracy ? 'validation accuracy' : 'training accuracy';
  const values = series_.filter((v): v is number => v !== undefined);
  const atLimit = epochLimit !== undefined && curves.epochs >= epochLimit;
  const more = atLimit
    ? `You are at the epoch limit (${epochLimit}): make each epoch count with a slightly higher learning rate or a model that learns faster (a convolution, batch normalisation).`
    : `Train more epochs, e.g. epochs: ${curves.epochs + Math.max(3, Math.ceil(curves.epochs / 2))}, and watch the validation curve flatten.`;
  if (values.length === 1) {
    return {
      kind: 'stopped-early',
      title: 'Stopped too early',
      evidence: `only one epoch was trained (${name} ${fmt(values[0])})`,
      nextStep: more,
    };
  }
  if (values.length < 2) return null;
  const last = values[values.length - 1];
  const previous = values[values.length - 2];
  if (last - previous < STILL_IMPROVING || last < Math.max(...values)) return null;
  return {
    kind: 'stopped-early',
    title: 'Stopped while still improving',
    evidence: `${name} was still rising at the last epoch: ${series(values.slice(-4))}`,
    nextStep: more,
  };
}

function readUnderfitting(curves: Curves, testAccuracy: number): CurveReading | null {
  const train = lastDefined(curves.accuracy);
  if (train === undefined) return null;
  const validation = lastDefined(curves.valAccuracy);
  const compared = validation ?? testAccuracy;
  if (train - compared > 0.05) return null;
  return {
    kind: 'underfitting',
    title: 'Underfitting: the model has not learned enough',
    evidence:
      `training accuracy ${fmt(train)} is no better than ${validation !== undefined ? 'validation' : 'test'} accuracy ${fmt(compared)}, ` +
      'and the curve has flattened: the model cannot fit even the images it trains on',
    nextStep:
      'Give the model more capacity where it helps images: a Conv2D (16 to 32 filters) with MaxPooling before Flatten, or more units in the hidden Dense layer.',
  };
}

/** The epoch limit of a `maxEpochs` rule, read from its check detail ("trained 3 epochs, limit 5"). */
function epochLimitOf(checks: readonly Check[]): number | undefined {
  const detail = checks.find((c) => c.id === 'rule:maxEpochs')?.detail;
  const match = detail ? /limit (\d+)/.exec(detail) : null;
  return match ? Number(match[1]) : undefined;
}

// ---- text ------------------------------------------------------------------------------------

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function lastDefined(values: (number | undefined)[]): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== undefined) return values[i];
  return undefined;
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toFixed(4) : String(value);
}

/** "0.9000 → 0.8000 → …" with at most six figures: the first two, an ellipsis, the last three. */
function series(values: number[]): string {
  const shown =
    values.length > 6 ? [...values.slice(0, 2).map(fmt), '…', ...values.slice(-3).map(fmt)] : values.map(fmt);
  return shown.join(' → ');
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function withStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
