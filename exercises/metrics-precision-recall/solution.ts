export function confusionMatrix(labels: number[], predictions: number[], numClasses: number): number[][] {
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  labels.forEach((label, i) => {
    matrix[label][predictions[i]] += 1;
  });
  return matrix;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

export function precisionRecallF1(labels: number[], predictions: number[], positiveClass: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  labels.forEach((label, i) => {
    const predicted = predictions[i] === positiveClass;
    const actual = label === positiveClass;
    if (predicted && actual) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
  });
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { precision, recall, f1: ratio(2 * precision * recall, precision + recall) };
}
