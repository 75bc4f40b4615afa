// Answer each question with the index of your choice (A = 0, B = 1, ...), or an array of indices.
export const answers: Record<string, number | number[]> = {
  'few-labels': 0,
  // 'fine-tune-when': ?,
  // batchnorm: ?,
  // imbalanced: ?,
  // threshold: ?,
  // macro: ?,
};
