/**
 * Each exercise category's title and what its exercises teach: the catalog's section headings, and
 * the category as the exercise page names it.
 */
import type { Exercise } from '../core/exercises/schema';

export type Category = Exercise['category'];

/** Each category's heading and what its exercises teach, in the order the catalog walks them. */
export const categorySections: Record<Category, { title: string; about: string }> = {
  cnn: {
    title: 'Convolutional networks',
    about:
      'From a dense baseline to CNNs on Fashion-MNIST, a callback that stops on time, a parameter budget, RGB shapes and a binary defect detector graded on ROC-AUC.',
  },
  augmentation: {
    title: 'Data augmentation',
    about: 'Layers that show the network what its few training pictures never do, active only in training.',
  },
  transfer: {
    title: 'Transfer learning',
    about: 'A pretrained MobileNet as a frozen feature extractor, then fine-tuned at a lower learning rate.',
  },
  preprocessing: {
    title: 'Preprocessing',
    about: 'Functions graded on hidden cases: scaling, resizing, colour spaces, standardisation.',
  },
  metrics: {
    title: 'Metrics',
    about: 'Functions graded on hidden cases: confusion matrix, precision, recall, F1, IoU, Dice.',
  },
  deployment: {
    title: 'Deployment',
    about: 'Make a trained model small enough for the edge without losing accuracy.',
  },
  exam: {
    title: 'Exam practice',
    about:
      "The exam's image tasks: a brief with only the dataset, the model's input and output and the bands that score it 1 to 5; the recipe is in the hints, and each one you reveal is counted.",
  },
  quiz: {
    title: 'Quizzes',
    about: 'Architectures, detection and segmentation, when to fine-tune, which metric for which task.',
  },
};
