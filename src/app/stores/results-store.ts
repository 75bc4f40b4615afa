/**
 * The last result per exercise, loaded from IndexedDB once and updated after each graded run.
 */
import { create } from 'zustand';
import type { Report } from '../../core/exercises/schema';
import type { StoredResult } from '../../storage/lab-db';
import { loadAllResults, saveResult, type ResultRun } from '../storage/results';
import { describeStorageError } from '../storage/storage-error';

export interface ResultsState {
  results: Record<string, StoredResult>;
  loaded: boolean;
  /** A storage problem to show the learner, or null. */
  error: string | null;
  load(): Promise<void>;
  /** Records a graded run: its report and, from `run`, what a later export needs. */
  record(exerciseId: string, report: Report, run?: ResultRun): Promise<void>;
}

export const useResultsStore = create<ResultsState>()((set, get) => ({
  results: {},
  loaded: false,
  error: null,
  async load() {
    try {
      const all = await loadAllResults();
      set({ results: Object.fromEntries(all.map((r) => [r.exerciseId, r])), loaded: true });
    } catch (error) {
      set({ loaded: true, error: describeStorageError(error, 'read your past results') });
    }
  },
  async record(exerciseId, report, run) {
    // Shown at once, whether or not it reaches the disk.
    const record: StoredResult = { exerciseId, report, savedAt: new Date().toISOString(), ...run };
    set({ results: { ...get().results, [exerciseId]: record } });
    try {
      await saveResult(record);
      set({ error: null });
    } catch (error) {
      set({ error: describeStorageError(error, 'save this result') });
    }
  },
}));
