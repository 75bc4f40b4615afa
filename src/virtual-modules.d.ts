/** Modules written by scripts/vite-plugin-exercises.ts at build time. */
declare module 'virtual:cv-lab/catalog' {
  import type { ExerciseCard } from './core/exercises/schema';
  /** Every valid exercise's card: no solution, hints, cases or quiz answers. */
  export const cards: ExerciseCard[];
  /** One line per exercise folder that failed validation. */
  export const errors: string[];
  /** Loaders of each exercise's hints (markdown), by exercise id: separate chunks. */
  export const hints: Record<string, () => Promise<{ default: string }>>;
}

declare module 'virtual:cv-lab/grading' {
  /** A function exercise's grading key as case JSON (scripts/vite-plugin-exercises.ts). */
  export interface CasesKeyJson {
    cases: { name: string; call: string }[];
    calls: { call: string; args: unknown[] }[];
    expected: unknown[];
    casesHash: string;
  }
  export const cases: Record<string, () => Promise<{ default: CasesKeyJson }>>;
  export const quizzes: Record<string, () => Promise<{ default: import('./core/exercises/schema').Quiz }>>;
  export const references: Record<string, () => Promise<{ default: { solution: string; cases: string } }>>;
}
