import type { TF } from 'cv-lab';

export default function cases(_tf: TF, random: () => number) {
  const randomLabels = (n: number, k: number) => Array.from({ length: n }, () => Math.floor(random() * k));
  const labels = randomLabels(50, 4);
  // A model right 70 % of the time, else a random class.
  const predictions = labels.map((l) => (random() < 0.7 ? l : Math.floor(random() * 4)));
  const rare = Array.from({ length: 40 }, (_, i) => (i < 3 ? 1 : 0));
  return [
    {
      name: 'confusion matrix, 3 classes by hand',
      call: 'confusionMatrix',
      args: [[0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 3],
    },
    {
      name: 'confusion matrix, 4 classes, 50 examples',
      call: 'confusionMatrix',
      args: [labels, predictions, 4],
    },
    {
      name: 'confusion matrix with a class never seen',
      call: 'confusionMatrix',
      args: [[0, 0, 1], [0, 1, 1], 3],
    },
    {
      name: 'precision/recall of class 1 by hand',
      call: 'precisionRecallF1',
      args: [[0, 0, 1, 1, 2, 2, 2], [0, 1, 1, 1, 2, 0, 2], 1],
    },
    {
      name: 'precision/recall, 4 classes, class 2',
      call: 'precisionRecallF1',
      args: [labels, predictions, 2],
    },
    {
      name: 'a detector that never predicts the rare class',
      call: 'precisionRecallF1',
      args: [rare, rare.map(() => 0), 1],
    },
    { name: 'a class with no examples', call: 'precisionRecallF1', args: [[0, 0, 1], [0, 2, 1], 2] },
    { name: 'a perfect model', call: 'precisionRecallF1', args: [[1, 0, 1, 1], [1, 0, 1, 1], 1] },
  ];
}
