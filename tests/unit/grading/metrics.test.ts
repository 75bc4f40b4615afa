import { describe, expect, it } from 'vitest';
import {
  accuracy,
  argmaxRows,
  confusionMatrix,
  crossEntropy,
  macroF1,
  perClassMetrics,
  rocAuc,
  topKAccuracy,
} from '../../../src/core/grading/metrics';

describe('confusion matrix, accuracy and per-class metrics (3 classes, worked by hand)', () => {
  // true:      0 0 0 0 1 1 1 2 2 2
  // predicted: 0 0 0 1 1 2 2 2 2 2
  //
  //            pred 0  pred 1  pred 2   support
  //   true 0      3       1       0        4
  //   true 1      0       1       2        3
  //   true 2      0       0       3        3
  //   column      3       2       5
  //
  // accuracy = (3 + 1 + 3) / 10 = 0.7
  // class 0: P = 3/3 = 1,   R = 3/4 = 0.75, F1 = 2·1·0.75 / 1.75   = 6/7
  // class 1: P = 1/2 = 0.5, R = 1/3,        F1 = 2·0.5·(1/3) / (5/6) = 0.4
  // class 2: P = 3/5 = 0.6, R = 3/3 = 1,    F1 = 2·0.6·1 / 1.6       = 0.75
  // macro F1 = (6/7 + 0.4 + 0.75) / 3 = 0.669047619...
  const labels = [0, 0, 0, 0, 1, 1, 1, 2, 2, 2];
  const predictions = Int32Array.from([0, 0, 0, 1, 1, 2, 2, 2, 2, 2]);
  const names = ['cat', 'dog', 'fox'];

  it('counts rows as true classes and columns as predictions', () => {
    expect(confusionMatrix(labels, predictions, 3)).toEqual([
      [3, 1, 0],
      [0, 1, 2],
      [0, 0, 3],
    ]);
  });

  it('gives accuracy 0.7', () => {
    expect(accuracy(labels, predictions)).toBeCloseTo(0.7, 12);
  });

  it('gives the hand-checked precision, recall, F1 and support', () => {
    const perClass = perClassMetrics(confusionMatrix(labels, predictions, 3), names);
    expect(perClass.map((c) => c.className)).toEqual(names);
    expect(perClass.map((c) => c.support)).toEqual([4, 3, 3]);
    const expected = [
      [1, 0.75, 6 / 7],
      [0.5, 1 / 3, 0.4],
      [0.6, 1, 0.75],
    ];
    perClass.forEach((c, i) => {
      expect(c.precision).toBeCloseTo(expected[i][0], 12);
      expect(c.recall).toBeCloseTo(expected[i][1], 12);
      expect(c.f1).toBeCloseTo(expected[i][2], 12);
    });
    expect(macroF1(perClass)).toBeCloseTo((6 / 7 + 0.4 + 0.75) / 3, 12);
    expect(macroF1(perClass)).toBeCloseTo(0.669047619, 8);
  });
});

describe('edge cases', () => {
  it('reports 0, not NaN, for a class that is never predicted', () => {
    // true 0 1 2, all predicted 0: column 0 sums to 3, columns 1 and 2 to 0.
    // class 0: P = 1/3, R = 1, F1 = 2·(1/3)·1 / (4/3) = 0.5; classes 1, 2: P = R = F1 = 0.
    const perClass = perClassMetrics(confusionMatrix([0, 1, 2], [0, 0, 0], 3), ['a', 'b', 'c']);
    expect(perClass[0]).toEqual({ className: 'a', precision: 1 / 3, recall: 1, f1: 0.5, support: 1 });
    expect(perClass[1]).toEqual({ className: 'b', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(perClass[2]).toEqual({ className: 'c', precision: 0, recall: 0, f1: 0, support: 1 });
    expect(macroF1(perClass)).toBeCloseTo(1 / 6, 12);
  });

  it('reports 0 recall for a class absent from the data', () => {
    // true 0 1, predicted 0 2: class 2 has support 0 and one false positive.
    const perClass = perClassMetrics(confusionMatrix([0, 1], [0, 2], 3), ['a', 'b', 'c']);
    expect(perClass[2]).toEqual({ className: 'c', precision: 0, recall: 0, f1: 0, support: 0 });
  });

  it('handles empty input without NaN', () => {
    const confusion = confusionMatrix([], [], 2);
    expect(confusion).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(accuracy([], [])).toBe(0);
    const perClass = perClassMetrics(confusion, ['a', 'b']);
    expect(perClass.every((c) => c.precision === 0 && c.recall === 0 && c.f1 === 0 && c.support === 0)).toBe(
      true,
    );
    expect(macroF1([])).toBe(0);
    expect(topKAccuracy([], new Float32Array(0), 3, 2)).toBe(0);
    expect(crossEntropy([], new Float32Array(0), 3)).toBe(0);
    expect(argmaxRows(new Float32Array(0), 3)).toEqual(new Int32Array(0));
    expect(rocAuc([], [])).toBeNaN();
  });

  it('rejects labels outside the classes and mismatched lengths', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/example 1 has label 3/);
    expect(() => confusionMatrix([0], [0, 1], 3)).toThrow(/1 labels but 2 predictions/);
    expect(() => accuracy([0], [])).toThrow(/1 labels but 0 predictions/);
  });
});

describe('rocAuc', () => {
  it('averages tied ranks (hand-checked: 2/3)', () => {
    // positives score 0.35, 0.8, 0.4; negatives 0.1, 0.4, 0.4. Over the 3 × 3 = 9 pairs:
    //   0.35 beats 0.1 only                     → 1
    //   0.8  beats all three                     → 3
    //   0.4  beats 0.1, ties 0.4 twice (½ each)  → 2
    // AUC = 6 / 9 = 2/3. By ranks: 0.1→1, 0.35→2, the three 0.4s share (3+4+5)/3 = 4, 0.8→6;
    // positive rank sum 2 + 4 + 6 = 12, minus 3·4/2 = 6, over 9 → 2/3.
    expect(rocAuc([0, 0, 1, 1, 0, 1], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4])).toBeCloseTo(2 / 3, 12);
  });

  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 when every score ties', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([1, 0, 1, 0], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('is NaN when only one class is present', () => {
    expect(rocAuc([1, 1], [0.2, 0.9])).toBeNaN();
    expect(rocAuc([0, 0], [0.2, 0.9])).toBeNaN();
  });
});

describe('topKAccuracy', () => {
  // 4 classes, 3 examples:
  //   [0.1, 0.5, 0.3, 0.1] true 2: one class (0.5) scores higher → found from k = 2
  //   [0.7, 0.1, 0.1, 0.1] true 0: none higher                   → found from k = 1
  //   [0.4, 0.3, 0.2, 0.1] true 3: three higher                   → found only at k = 4
  // top-1 = 1/3, top-2 = 2/3, top-3 = 2/3, top-4 = 1
  const labels = [2, 0, 3];
  const probs = Float32Array.from([0.1, 0.5, 0.3, 0.1, 0.7, 0.1, 0.1, 0.1, 0.4, 0.3, 0.2, 0.1]);

  it('gives the hand-checked values for k = 1..4', () => {
    expect(topKAccuracy(labels, probs, 4, 1)).toBeCloseTo(1 / 3, 12);
    expect(topKAccuracy(labels, probs, 4, 2)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(labels, probs, 4, 3)).toBeCloseTo(2 / 3, 12);
    expect(topKAccuracy(labels, probs, 4, 4)).toBe(1);
  });

  it('decides a tie at the boundary in the model’s favour, and never counts NaN', () => {
    expect(topKAccuracy([3], [0.25, 0.25, 0.25, 0.25], 4, 1)).toBe(1);
    expect(topKAccuracy([1], [0.5, NaN, 0.1], 3, 3)).toBe(0);
  });
});

describe('argmaxRows and crossEntropy', () => {
  it('takes the first maximum and never a NaN', () => {
    expect(Array.from(argmaxRows([0.1, 0.9, 0.5, 0.5, NaN, 0.2], 2))).toEqual([1, 0, 1]);
  });

  it('is the mean of −log p(true class), clipped at 1e-7', () => {
    // row 0: −ln 0.5 = 0.693147; row 1: p = 1 clipped to 1 − 1e-7 → ≈ 1e-7; row 2: p = 0 → −ln 1e-7 = 16.118096
    const loss = crossEntropy([0, 1, 0], [0.5, 0.5, 0, 1, 0, 1], 2);
    expect(loss).toBeCloseTo((Math.LN2 + 1e-7 + 7 * Math.LN10) / 3, 6);
  });
});
