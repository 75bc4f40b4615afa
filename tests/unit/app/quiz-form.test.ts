/** The quiz form's draft: answers written as the learner module and read back, or refused. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQuizAnswers, quizAnswersModule } from '../../../src/app/components/QuizForm';
import { QuizSchema } from '../../../src/core/exercises/schema';

const folder = resolve(import.meta.dirname, '../../../exercises/quiz-cnn-architectures');
const quiz = QuizSchema.parse(JSON.parse(readFileSync(resolve(folder, 'quiz.json'), 'utf8')));

describe('quiz form draft', () => {
  it('reads the starter and the solution as they are written', () => {
    expect(parseQuizAnswers(readFileSync(resolve(folder, 'starter.ts'), 'utf8'), quiz)).toEqual({
      lenet: 0,
      alexnet: [1],
    });
    expect(parseQuizAnswers(readFileSync(resolve(folder, 'solution.ts'), 'utf8'), quiz)).toMatchObject({
      alexnet: [0, 2],
      mobilenet: 2,
    });
  });

  it('writes a module that reads back to the same answers', () => {
    const answers = { lenet: 0, alexnet: [0, 2], vit: 1 };
    expect(parseQuizAnswers(quizAnswersModule(quiz, answers), quiz)).toEqual(answers);
  });

  it('refuses code it cannot read, so the page falls back to the editor', () => {
    expect(parseQuizAnswers('export const answers = compute();', quiz)).toBeNull();
    expect(parseQuizAnswers("export const answers = { 'no-such-question': 1 };", quiz)).toBeNull();
  });
});
