/**
 * Classification metrics, written out by hand over plain arrays.
 *
 * No tensors here: the grader copies the model's predictions out of tf once and every figure in a
 * report is computed from those numbers by the functions below, so each one can be read, checked
 * by hand and tested without a backend. Conventions used throughout:
 *
 * - `labels` are true class indices `0 .. numClasses-1`; `predictions` are predicted indices.
 * - `probs` is a row-major matrix: row `i` holds the `numClasses` scores of example `i`.
 * - A figure whose denominator is zero (precision of a class never predicted, accuracy of no
 *   examples) is reported as 0, never NaN: a report must stay valid JSON and a missing prediction
 *   earns no credit. `rocAuc` is the one exception (see there).
 */
import type { PerClass } from '../exercises/schema';

/** A square count matrix: `matrix[trueClass][predictedClass]` = number of examples. */
export type ConfusionMatrix = number[][];

/** Index of the largest score in each row; the first one wins a tie, and NaN never wins. */
export function argmaxRows(probs: ArrayLike<number>, numClasses: number): Int32Array {
  const rows = numClasses > 0 ? Math.floor(probs.length / numClasses) : 0;
  const best = new Int32Array(rows);
  for (let row = 0; row < rows; row++) {
    const offset = row * numClasses;
    let bestClass = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < numClasses; c++) {
      const score = probs[offset + c];
      if (score > bestScore) {
        bestScore = score;
        bestClass = c;
      }
    }
    best[row] = bestClass;
  }
  return best;
}

/**
 * Counts each (true class, predicted class) pair. Rows are true classes, columns predictions, so
 * row sums are each class's support and column sums how often each class was predicted.
 * Indices outside `0 .. numClasses-1` are a caller's bug and throw.
 */
export function confusionMatrix(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): ConfusionMatrix {
  if (labels.length !== predictions.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  }
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const truth = labels[i];
    const predicted = predictions[i];
    if (!isClassIndex(truth, numClasses) || !isClassIndex(predicted, numClasses)) {
      throw new Error(
        `confusionMatrix: example ${i} has label ${truth} and prediction ${predicted}, expected 0..${numClasses - 1}`,
      );
    }
    matrix[truth][predicted] += 1;
  }
  return matrix;
}

/** Share of examples whose prediction equals the label; 0 for no examples. */
export function accuracy(labels: ArrayLike<number>, predictions: ArrayLike<number>): number {
  if (labels.length !== predictions.length) {
    throw new Error(`accuracy: ${labels.length} labels but ${predictions.length} predictions`);
  }
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === predictions[i]) correct++;
  return ratio(correct, labels.length);
}

/**
 * Precision, recall, F1 and support of each class, read off the confusion matrix:
 *
 * - true positives  TP = matrix[c][c]
 * - precision = TP / (column sum)  (of the examples predicted as c, how many were c)
 * - recall    = TP / (row sum)     (of the examples that were c, how many were found)
 * - F1        = 2·precision·recall / (precision + recall), the harmonic mean
 * - support   = row sum
 *
 * Each is 0 when its denominator is 0 (a class never predicted has precision 0; a class absent
 * from the data has recall 0), the convention of scikit-learn's `zero_division=0`.
 */
export function perClassMetrics(confusion: ConfusionMatrix, classNames: readonly string[]): PerClass[] {
  const numClasses = confusion.length;
  return Array.from({ length: numClasses }, (_, c) => {
    const truePositives = confusion[c][c];
    let predictedAsC = 0;
    let actuallyC = 0;
    for (let k = 0; k < numClasses; k++) {
      predictedAsC += confusion[k][c];
      actuallyC += confusion[c][k];
    }
    const precision = ratio(truePositives, predictedAsC);
    const recall = ratio(truePositives, actuallyC);
    const f1 = ratio(2 * precision * recall, precision + recall);
    return { className: classNames[c] ?? String(c), precision, recall, f1, support: actuallyC };
  });
}

/** Unweighted mean of the per-class F1 scores: every class counts the same, however rare; 0 for none. */
export function macroF1(perClass: readonly Pick<PerClass, 'f1'>[]): number {
  let sum = 0;
  for (const c of perClass) sum += c.f1;
  return ratio(sum, perClass.length);
}

/**
 * Area under the ROC curve of a binary problem, computed as the probability that a random positive
 * scores above a random negative (the Mann–Whitney U statistic divided by positives × negatives):
 *
 *   AUC = (sum of the positives' ranks − P·(P+1)/2) / (P·N)
 *
 * with scores ranked from 1 (lowest) and tied scores each given the average of the ranks they
 * span, so a tie between a positive and a negative counts as half a win.
 *
 * Returns NaN when the data hold only one class (or none): AUC is then undefined, and a made-up
 * 0.5 or 0 would read as a real measurement. Callers leave it out of reports.
 */
export function rocAuc(labels01: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels01.length;
  if (n !== scores.length) throw new Error(`rocAuc: ${n} labels but ${scores.length} scores`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    // Positions start..end-1 hold equal scores: ranks start+1..end, whose mean is (start+1+end)/2.
    const averageRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (labels01[order[i]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Share of examples whose true class is among the `k` highest scores. A tie at the boundary is
 * decided in the model's favour: the true class counts as found when fewer than `k` classes score
 * strictly higher than it. 0 for no examples.
 */
export function topKAccuracy(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  numClasses: number,
  k: number,
): number {
  let hits = 0;
  for (let row = 0; row < labels.length; row++) {
    const offset = row * numClasses;
    const trueScore = probs[offset + labels[row]];
    let higher = 0;
    for (let c = 0; c < numClasses; c++) if (probs[offset + c] > trueScore) higher++;
    // A NaN score for the true class is never "found": every comparison with NaN is false.
    if (higher < k && !Number.isNaN(trueScore)) hits++;
  }
  return ratio(hits, labels.length);
}

/**
 * Mean categorical cross-entropy, −mean(log p[true class]), the loss Keras reports for
 * `categoricalCrossentropy`. Probabilities are clipped to [1e-7, 1 − 1e-7] (Keras's epsilon) so a
 * confident wrong answer costs about 16.1 instead of infinity. 0 for no examples.
 */
export function crossEntropy(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  numClasses: number,
): number {
  const epsilon = 1e-7;
  let sum = 0;
  for (let row = 0; row < labels.length; row++) {
    const p = probs[row * numClasses + labels[row]];
    sum -= Math.log(Math.min(1 - epsilon, Math.max(epsilon, p)));
  }
  return ratio(sum, labels.length);
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

function isClassIndex(value: number, numClasses: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < numClasses;
}
