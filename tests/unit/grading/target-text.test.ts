/** Targets in words (the catalog's "To pass") and the order the catalog walks the exercises in. */
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../../src/cli/catalog';
import { compareForCatalog } from '../../../src/core/exercises/catalog';
import { ExerciseSchema } from '../../../src/core/exercises/schema';
import { describeTarget, describeTargets } from '../../../src/core/grading/target-text';

describe('describeTargets', () => {
  it('names the split and the metric of a trained model, with its bound', () => {
    expect(
      describeTargets([
        { metric: 'rocAuc', split: 'test', atLeast: 0.9 },
        { metric: 'recall', split: 'test', atLeast: 0.9 },
        { metric: 'loss', split: 'validation', atMost: 0.4 },
      ]),
    ).toBe('test ROC-AUC ≥ 0.9, test recall at your threshold ≥ 0.9, validation loss ≤ 0.4');
  });

  it('speaks of hidden cases for functions and of answers for quizzes', () => {
    expect(describeTarget({ metric: 'accuracy', split: 'test', atLeast: 1 }, 'function')).toBe(
      'every one of the hidden cases',
    );
    expect(describeTarget({ metric: 'accuracy', split: 'test', atLeast: 0.8 }, 'quiz')).toBe(
      '≥ 80 % of the answers',
    );
    expect(describeTarget({ metric: 'accuracy', split: 'test', atLeast: 0.875 }, 'function')).toBe(
      '≥ 87.5 % of the hidden cases',
    );
  });
});

describe('the catalog order', () => {
  const exercise = (id: string, category: string, difficulty: string, order?: number) =>
    ExerciseSchema.parse({ id, title: id, category, difficulty, kind: 'train', order });

  it('walks categories in their order, each by its order, then easier first, then by id', () => {
    const shuffled = [
      exercise('quiz-a', 'quiz', 'beginner', 1),
      exercise('late', 'cnn', 'beginner'),
      exercise('hard', 'cnn', 'advanced'),
      exercise('second', 'cnn', 'advanced', 2),
      exercise('first', 'cnn', 'intermediate', 1),
      exercise('augment', 'augmentation', 'beginner'),
    ];
    expect(shuffled.sort(compareForCatalog).map((e) => e.id)).toEqual([
      'first',
      'second',
      'late',
      'hard',
      'augment',
      'quiz-a',
    ]);
  });

  it('puts the bundled catalog in that order, from the dense baseline to the quizzes', async () => {
    const { bundles, errors } = await readCatalog();
    expect(errors).toEqual([]);
    const ids = bundles.map((b) => b.exercise.id);
    expect(ids[0]).toBe('fashion-mnist-dense');
    expect(ids.indexOf('transfer-feature-extraction')).toBeLessThan(ids.indexOf('transfer-fine-tune'));
    expect(ids.slice(-3)).toEqual([
      'quiz-cnn-architectures',
      'quiz-transfer-and-metrics',
      'quiz-detection-segmentation',
    ]);
  });
});
