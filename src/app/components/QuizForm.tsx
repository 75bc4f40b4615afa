/**
 * A quiz as a form. The form's state is the learner's draft: every click rewrites the module
 * `export const answers = { ... };` that the grader reads, so Run, drafts and exports work exactly
 * as for code. A draft the form cannot read back (hand-edited beyond the plain shape) is shown in
 * the editor instead (`fallback`), so nothing is lost.
 */
import { useState, type ReactNode } from 'react';
import type { ExerciseCard } from '../../core/exercises/schema';
import { Markdown } from './Markdown';

/** The quiz as the page holds it: questions and choices, no answers. */
type Quiz = NonNullable<ExerciseCard['quiz']>;

export type QuizAnswers = Record<string, number | number[]>;

const header = 'export const answers: Record<string, number | number[]> = {';

/** The learner module for these answers, in the quiz's order. */
export function quizAnswersModule(quiz: Quiz, answers: QuizAnswers): string {
  const lines = quiz.questions
    .filter((q) => answers[q.id] !== undefined)
    .map((q) => {
      const value = answers[q.id];
      const key = /^[A-Za-z_$][\w$]*$/.test(q.id) ? q.id : JSON.stringify(q.id);
      return `  ${key}: ${Array.isArray(value) ? `[${value.join(', ')}]` : value},`;
    });
  return `${header}\n${lines.join('\n')}\n};\n`;
}

const wrapper =
  /^\s*export\s+const\s+answers\s*(?::\s*Record<\s*string\s*,\s*number\s*\|\s*number\[\]\s*>\s*)?=\s*\{([\s\S]*)\}\s*;?\s*$/;
const entry = /(["']?)([A-Za-z_$][\w$-]*)\1\s*:\s*(\d+|\[\s*(?:\d+\s*(?:,\s*\d+\s*)*,?\s*)?\])/g;

/**
 * Reads answers back from a learner module of the plain shape (comments allowed), or null when the
 * text is anything else or names a question the quiz does not have.
 */
export function parseQuizAnswers(code: string, quiz: Quiz): QuizAnswers | null {
  const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const body = wrapper.exec(withoutComments)?.[1];
  if (body === undefined) return null;
  if (body.replace(entry, '').replace(/[\s,]/g, '') !== '') return null;
  const ids = new Set(quiz.questions.map((q) => q.id));
  const answers: QuizAnswers = {};
  for (const [, , id, value] of body.matchAll(entry)) {
    if (!ids.has(id)) return null;
    answers[id] = value.startsWith('[')
      ? (JSON.parse(value.replace(/,\s*\]$/, ']')) as number[])
      : Number(value);
  }
  return answers;
}

export function QuizForm({
  quiz,
  initialCode,
  onChange,
  fallback,
}: {
  quiz: Quiz;
  /** The draft as loaded; read once, when the form mounts. */
  initialCode: string;
  onChange: (code: string) => void;
  /** Shown instead of the form when the draft cannot be read as answers. */
  fallback: ReactNode;
}) {
  const [answers, setAnswers] = useState(() => parseQuizAnswers(initialCode, quiz));
  if (!answers) return <>{fallback}</>;

  const choose = (questionId: string, value: number | number[]) => {
    const next = { ...answers, [questionId]: value };
    setAnswers(next);
    onChange(quizAnswersModule(quiz, next));
  };

  return (
    <form className="quiz-form" data-testid="quiz-form" onSubmit={(event) => event.preventDefault()}>
      {quiz.questions.map((question, index) => {
        const multiple = question.multiple === true;
        const current = answers[question.id];
        const chosen = new Set(current === undefined ? [] : Array.isArray(current) ? current : [current]);
        return (
          <fieldset key={question.id} className="quiz-question" data-question-id={question.id}>
            <legend>
              Question {index + 1}
              {multiple ? ' (choose all that apply)' : ''}
            </legend>
            <Markdown source={question.prompt} className="quiz-prompt" />
            {question.choices.map((choice, choiceIndex) => (
              <label key={choiceIndex} className="quiz-choice">
                <input
                  type={multiple ? 'checkbox' : 'radio'}
                  name={`quiz-${question.id}`}
                  value={choiceIndex}
                  checked={chosen.has(choiceIndex)}
                  onChange={(event) => {
                    if (!multiple) return choose(question.id, choiceIndex);
                    const next = new Set(chosen);
                    if (event.target.checked) next.add(choiceIndex);
                    else next.delete(choiceIndex);
                    choose(
                      question.id,
                      [...next].sort((a, b) => a - b),
                    );
                  }}
                />{' '}
                <span>{choice}</span>
              </label>
            ))}
          </fieldset>
        );
      })}
    </form>
  );
}
