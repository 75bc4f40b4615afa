import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  fingerprints,
  IDENTIFIER,
  similarity,
  similarityFlags,
  tokenize,
  winnow,
} from '../../../src/core/grading/similarity';

const exercises = join(import.meta.dirname, '../../../exercises');
const read = (path: string) => readFileSync(join(exercises, path), 'utf8');
const starter = read('fashion-mnist-cnn/starter.ts');
const solution = read('fashion-mnist-cnn/solution.ts');

/** The solution as a copier hands it in: names changed, comments gone, laid out otherwise. */
const disguised = solution
  .replace(/\/\/.*$/gm, '')
  .replace(/\bblock\b/g, 'convBlock')
  .replace(/\bfilters\b/g, 'nFilters')
  .replace(/\bfirst\b/g, 'isFirst')
  .replace(/\bmodel\b/g, 'net')
  .replace(/\bvalidation\b/g, 'val')
  .replace(/\n\s*/g, ' ')
  .replace(/,\s*\]/g, ']')
  .replace(/\s*=>\s*/g, '=>');

/** Another learner's own answer, grown from the starter as the TODOs ask. */
const ownAnswer = `import type { Lab } from 'cv-lab';

export default async function train(lab: Lab) {
  const { tf } = lab;
  const data = await lab.data.load('fashion-mnist', { validationSplit: 0.2 });
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 16, kernelSize: 5, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tf.layers.conv2d({ filters: 48, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.002), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  for (let epoch = 0; epoch < 4; epoch++) {
    lab.log(\`epoch \${epoch}\`);
    await model.fit(data.train.xs, data.train.ys, { epochs: 1, batchSize: 128, callbacks: lab.callbacks() });
  }
  return model;
}
`;

describe('tokenize', () => {
  test('drops comments and whitespace, normalises identifiers, keeps keywords, members and literals', () => {
    expect(
      tokenize('const fooBar = tf.layers.dense({ units: 0x10 }); // note\n/* more */ x >>>= 2.50;'),
    ).toEqual([
      'const',
      IDENTIFIER,
      '=',
      IDENTIFIER,
      '.',
      'layers',
      '.',
      'dense',
      '(',
      '{',
      IDENTIFIER,
      ':',
      'N16',
      '}',
      ')',
      ';',
      IDENTIFIER,
      '>>>=',
      'N2.5',
      ';',
    ]);
    expect(tokenize("const s = 'it\\'s' + `a ${b}`;")).toEqual([
      'const',
      IDENTIFIER,
      '=',
      "Sit\\'s",
      '+',
      'Sa ${b}',
      ';',
    ]);
  });

  test('an unterminated string or comment ends the code without a hang', () => {
    expect(tokenize('x = "abc')).toEqual([IDENTIFIER, '=', 'Sabc']);
    expect(tokenize('x /* never closed')).toEqual([IDENTIFIER]);
  });
});

describe('fingerprints and similarity', () => {
  test('winnowing keeps the minimum of every window', () => {
    expect([...winnow([5, 3, 9, 7, 1, 8], 3)].sort()).toEqual([1, 3]);
    expect([...winnow([4, 2], 3)].sort()).toEqual([2, 4]);
  });

  test('renamed variables and reformatted code still match', () => {
    expect(tokenize(disguised)).toEqual(tokenize(solution));
    const score = similarity(fingerprints(solution, starter), fingerprints(disguised, starter));
    expect(score).toBeGreaterThanOrEqual(0.9);
  });

  test('a copy with a few changes still scores high', () => {
    const edited = disguised.replace('rate: 0.3', 'rate: 0.25').replace('epochs: 5', 'epochs: 4');
    const score = similarity(fingerprints(solution, starter), fingerprints(edited, starter));
    expect(score).toBeGreaterThan(0.6);
  });

  test('unrelated solutions score low', () => {
    const score = similarity(fingerprints(solution, starter), fingerprints(ownAnswer, starter));
    expect(score).toBeLessThan(0.2);
    const dense = read('fashion-mnist-dense/solution.ts');
    expect(similarity(fingerprints(solution), fingerprints(dense))).toBeLessThan(0.5);
  });

  test('the starter shared by everyone is left out: unchanged starter lines are not copying', () => {
    const a = starter.replace('epochs: 1', 'epochs: 5');
    const b = starter.replace(
      '  // TODO: a hidden dense layer before the output.\n',
      "  model.add(tf.layers.dense({ units: 32, activation: 'relu' }));\n",
    );
    // Counted whole, two lightly edited starters look alike...
    expect(similarity(fingerprints(a), fingerprints(b))).toBeGreaterThan(0.5);
    // ...with the starter's k-grams out, what is left is each learner's own line.
    expect(similarity(fingerprints(a, starter), fingerprints(b, starter))).toBeLessThan(0.2);
    expect(fingerprints(starter, starter).size).toBe(0);
  });
});

describe('similarityFlags', () => {
  const starterOf = (id: string) => (id === 'fashion-mnist-cnn' ? starter : undefined);

  test('flags copies and identical models naming the other learners, never a learner with themself', () => {
    const items = [
      { learner: 'Ada', exerciseId: 'fashion-mnist-cnn', code: solution, weightsSha256: 'a'.repeat(64) },
      { learner: 'Bob', exerciseId: 'fashion-mnist-cnn', code: disguised, weightsSha256: 'a'.repeat(64) },
      { learner: 'Cy', exerciseId: 'fashion-mnist-cnn', code: ownAnswer, weightsSha256: 'c'.repeat(64) },
      // Ada's own second submission is not copying.
      { learner: 'Ada', exerciseId: 'fashion-mnist-cnn', code: solution, weightsSha256: 'a'.repeat(64) },
      // The same code for another exercise is not compared.
      { learner: 'Dee', exerciseId: 'fashion-mnist-dense', code: solution },
      // The bare starter: nothing of the learner's own to compare.
      { learner: 'Eve', exerciseId: 'fashion-mnist-cnn', code: starter },
      { learner: 'Fay', exerciseId: 'fashion-mnist-cnn', code: starter },
    ];
    const flags = similarityFlags(items, starterOf);
    expect(flags[0].map((f) => f.code)).toEqual(['identical-model', 'similar-code']);
    expect(flags[0][0].message).toBe("the same trained weights (SHA-256) as the submission of 'Bob'");
    expect(flags[0][1].message).toMatch(/^code like that of 'Bob' \(1\.00\)/);
    expect(flags[1][0].message).toBe("the same trained weights (SHA-256) as the submission of 'Ada', 'Ada'");
    expect(flags[1][1].message).toMatch(/^code like that of 'Ada' \(1\.00\), 'Ada' \(1\.00\)/);
    expect(flags[2]).toEqual([]);
    expect(flags[3].map((f) => f.code)).toEqual(['identical-model', 'similar-code']);
    expect(flags[4]).toEqual([]);
    expect(flags[5]).toEqual([]);
    expect(flags[6]).toEqual([]);
  });
});
