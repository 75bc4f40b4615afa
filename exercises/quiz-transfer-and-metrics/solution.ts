export const answers: Record<string, number | number[]> = {
  'few-labels': 1,
  'fine-tune-when': 1,
  batchnorm: 0,
  imbalanced: [1, 2, 3],
  threshold: 1,
  macro: 1,
};
