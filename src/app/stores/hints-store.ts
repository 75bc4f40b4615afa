/**
 * How many of each exercise's hints the learner has revealed, kept in localStorage so a reload
 * keeps them shown and counted. A run records the count in its report (`hintsUsed`, stamped by
 * run-store.ts); the exam practice shows it beside each task's score and starts it from 0 again
 * (exam-practice/practice-store.ts).
 */
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export interface HintsState {
  /** Hints revealed, by exercise id. */
  revealed: Record<string, number>;
  /** Reveals the next hint of `total`; returns how many are revealed now. */
  reveal(exerciseId: string, total: number): number;
  /** Hides the hints of these exercises again and stops counting them (a new exam practice). */
  reset(exerciseIds: readonly string[]): void;
}

/** Whatever is stored is untrusted: only whole, non-negative counts under sane ids survive. */
export function mergeStoredHints(persisted: unknown, current: HintsState): HintsState {
  const stored = (persisted ?? {}) as { revealed?: unknown };
  const revealed: Record<string, number> = {};
  if (stored.revealed && typeof stored.revealed === 'object') {
    for (const [id, count] of Object.entries(stored.revealed as Record<string, unknown>)) {
      if (/^[a-z0-9][a-z0-9-]{0,99}$/.test(id) && Number.isInteger(count) && (count as number) > 0)
        revealed[id] = Math.min(count as number, 1000);
    }
  }
  return { ...current, revealed };
}

export const useHintsStore = create<HintsState>()(
  persist(
    (set, get) => ({
      revealed: {},
      reveal(exerciseId, total) {
        const count = Math.min(total, (get().revealed[exerciseId] ?? 0) + 1);
        set({ revealed: { ...get().revealed, [exerciseId]: count } });
        return count;
      },
      reset(exerciseIds) {
        const revealed = { ...get().revealed };
        for (const id of exerciseIds) delete revealed[id];
        set({ revealed });
      },
    }),
    {
      name: 'cv-lab.hints',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (state) => ({ revealed: state.revealed }),
      merge: mergeStoredHints,
    },
  ),
);
