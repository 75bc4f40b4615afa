export function confusionMatrix(labels: number[], predictions: number[], numClasses: number): number[][] {
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    // TODO: which index is the row?
    matrix[predictions[i]][labels[i]] += 1;
  }
  return matrix;
}

export function precisionRecallF1(labels: number[], predictions: number[], positiveClass: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  labels.forEach((label, i) => {
    if (predictions[i] === positiveClass && label === positiveClass) tp++;
    else if (predictions[i] === positiveClass) fp++;
    else if (label === positiveClass) fn++;
  });
  // TODO: the zero-division cases; and is F1 really the plain mean?
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  return { precision, recall, f1: (precision + recall) / 2 };
}
