/**
 * The lead's roster: submission files read and checked on the main thread (`parseSubmission`),
 * re-graded one at a time in a worker of their own (`LabWorkerApi.regrade`), so the page stays
 * responsive and the lab's run worker is untouched. A file that cannot be read becomes an error
 * row naming the file and the problem; the others are unaffected.
 */
import * as Comlink from 'comlink';
import { create } from 'zustand';
import { applySetOverrides, parseSet, type CvSet, type PrivateCase } from '../../core/exercises/set';
import { parseSubmission } from '../../core/exercises/submission';
import { rosterErrorRow, rosterRow } from '../../core/grading/roster';
import { needsTestData, setFlags } from '../../core/grading/regrade';
import { SIMILARITY_FLAG_CODES, submissionSimilarityFlags } from '../../core/grading/similarity';
import type { LabWorkerApi } from '../../worker/contract';
import { openSandboxFrame } from '../run/sandbox-frame';
import { findExercise } from '../catalog';
import { useSettingsStore } from '../stores/settings-store';
import type { RosterEntry } from './roster-table';

export interface RosterState {
  entries: RosterEntry[];
  set: CvSet | null;
  setFile: string | null;
  setError: string | null;
  grading: boolean;
  addFiles(files: readonly { name: string; text(): Promise<string> }[]): Promise<void>;
  loadSet(file: { name: string; text(): Promise<string> }): Promise<void>;
  clearSet(): void;
  regrade(ids?: number[]): Promise<void>;
  /** Stops re-grading now: the submission being graded and those after it stay "not re-graded". */
  stopRegrade(): void;
  remove(id: number): void;
  clear(): void;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

let worker: { api: Comlink.Remote<LabWorkerApi>; worker: Worker } | null = null;

function regradeWorker(): Comlink.Remote<LabWorkerApi> {
  if (!worker) {
    const instance = new Worker(new URL('../../worker/lab-worker.ts', import.meta.url), {
      type: 'module',
      name: 'cv-lab-regrade',
    });
    instance.addEventListener('error', () => {
      // A worker that failed to start or crashed is replaced on the next re-grade.
      instance.terminate();
      worker = null;
    });
    worker = { worker: instance, api: Comlink.wrap<LabWorkerApi>(instance) };
  }
  return worker.api;
}

/**
 * Every re-graded entry compared with the others (identical models, alike code): the similarity
 * flags of an earlier comparison are replaced, since the roster's submissions may have changed.
 */
function withSimilarityFlags(entries: RosterEntry[]): RosterEntry[] {
  const graded = entries.filter((e) => e.state === 'done' && e.submission && e.row);
  const flags = submissionSimilarityFlags(
    graded.map((e) => ({
      submission: e.submission!,
      starter: findExercise(e.submission!.exerciseId)?.starter,
    })),
  );
  const byId = new Map(graded.map((e, i) => [e.id, flags[i]]));
  return entries.map((e) => {
    const added = byId.get(e.id);
    if (!added || !e.row) return e;
    const kept = e.row.flags.filter((f) => !SIMILARITY_FLAG_CODES.includes(f.code));
    return { ...e, row: { ...e.row, flags: [...kept, ...added] } };
  });
}

let nextId = 1;

/** Ends the re-grade in progress (its sandbox and worker); null when none runs. */
let interruptRegrade: (() => void) | null = null;

class RegradeStopped extends Error {}

export const useRosterStore = create<RosterState>()((set, get) => {
  const update = (id: number, patch: Partial<RosterEntry>) =>
    set({ entries: get().entries.map((e) => (e.id === id ? { ...e, ...patch } : e)) });

  return {
    entries: [],
    set: null,
    setFile: null,
    setError: null,
    grading: false,
    async addFiles(files) {
      const added: RosterEntry[] = [];
      for (const file of files) {
        const id = nextId++;
        try {
          const submission = parseSubmission(await file.text());
          added.push({ id, file: file.name, submission, state: 'unchecked' });
        } catch (error) {
          const message = messageOf(error);
          added.push({
            id,
            file: file.name,
            state: 'error',
            error: message,
            row: rosterErrorRow(file.name, message),
          });
        }
      }
      set({ entries: [...get().entries, ...added] });
    },
    async loadSet(file) {
      try {
        const loaded = await parseSet(await file.text());
        set({ set: loaded, setFile: file.name, setError: null });
        // Results graded against another set's targets no longer hold.
        set({
          entries: get().entries.map((e) =>
            e.submission && e.state !== 'grading'
              ? { ...e, state: 'unchecked', row: undefined, error: undefined }
              : e,
          ),
        });
      } catch (error) {
        set({ setError: `${file.name}: ${messageOf(error)}` });
      }
    },
    clearSet() {
      set({ set: null, setFile: null, setError: null });
    },
    async regrade(ids) {
      if (get().grading) return;
      set({ grading: true });
      try {
        const targets = get().entries.filter((e) => e.submission && (!ids || ids.includes(e.id)));
        for (const target of targets) {
          const submission = target.submission!;
          const known = {
            learner: submission.learner.name,
            exerciseId: submission.exerciseId,
            setTitle: submission.setTitle ?? '',
            backend: submission.environment.backend,
          };
          update(target.id, { state: 'grading' });
          try {
            const leadSet = get().set;
            let bundle = findExercise(submission.exerciseId);
            if (!bundle) throw new Error(`no exercise '${submission.exerciseId}' in this CV Lab`);
            let privateCases: PrivateCase[] | undefined;
            if (leadSet) {
              const entry = leadSet.exercises.find((e) => e.id === submission.exerciseId);
              if (!entry)
                throw new Error(`exercise '${submission.exerciseId}' is not in the set '${leadSet.title}'`);
              bundle = applySetOverrides(bundle, entry);
              privateCases = entry.privateCases;
            }
            // Code (function exercises, quizzes) runs again in a fresh sandbox per submission, so
            // nothing one submission does reaches the next; a model is graded in the worker.
            const sandbox = needsTestData(bundle) ? undefined : await openSandboxFrame();
            let result;
            try {
              const stopped = new Promise<never>((_, reject) => {
                interruptRegrade = () => {
                  // The worker may be waiting on a sandbox that loops: both go, a fresh worker
                  // takes the next re-grade.
                  sandbox?.close();
                  worker?.worker.terminate();
                  worker = null;
                  reject(new RegradeStopped());
                };
              });
              result = await Promise.race([
                stopped,
                regradeWorker().regrade(
                  {
                    submission,
                    bundle,
                    ...(leadSet?.privateTest
                      ? {
                          privateTest: {
                            key: `${leadSet.id}@${leadSet.createdAt}`,
                            data: leadSet.privateTest,
                          },
                        }
                      : {}),
                    ...(privateCases ? { privateCases } : {}),
                    backend: useSettingsStore.getState().backend,
                  },
                  sandbox ? Comlink.transfer(sandbox.port, [sandbox.port]) : undefined,
                ),
              ]);
            } finally {
              interruptRegrade = null;
              sandbox?.close();
            }
            // The set's flags (late, out-of-exam, wrong-set): the worker re-grades without the set.
            if (leadSet)
              result = { ...result, flags: [...result.flags, ...(await setFlags(submission, leadSet))] };
            const row = rosterRow(target.file, submission, result, bundle.exercise);
            update(target.id, { state: 'done', row, error: row.error });
          } catch (error) {
            if (error instanceof RegradeStopped) {
              update(target.id, { state: 'unchecked' });
              break;
            }
            const message = messageOf(error);
            update(target.id, {
              state: 'error',
              error: message,
              row: rosterErrorRow(target.file, message, known),
            });
          }
        }
        set({ entries: withSimilarityFlags(get().entries) });
      } finally {
        set({ grading: false });
      }
    },
    stopRegrade() {
      interruptRegrade?.();
    },
    remove(id) {
      set({ entries: get().entries.filter((e) => e.id !== id) });
    },
    clear() {
      set({ entries: [] });
    },
  };
});
