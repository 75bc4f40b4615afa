/**
 * The lead's roster: submission files read and checked on the main thread (`parseSubmissionsFile`:
 * one submission, or a learner's bundle), re-graded one at a time in a worker of their own
 * (`LabWorkerApi.regrade`), so the page stays responsive and the lab's run worker is untouched. A
 * file that cannot be read becomes an error row naming the file and the problem; the others are
 * unaffected.
 *
 * Everything lasts (src/app/storage/roster-db.ts): one roster per loaded set (and a default one
 * without a set) with every imported submission, every grade made and the lead's comments. Loading
 * a set whose grading-relevant content is unchanged (`gradingHash`) keeps the grades.
 */
import * as Comlink from 'comlink';
import { create } from 'zustand';
import { applySetOverrides, parseSet, type CvSet, type PrivateCase } from '../../core/exercises/set';
import { parseSubmission, serializeSubmission } from '../../core/exercises/submission';
import { parseSubmissionsFile } from '../../core/exercises/submission-bundle';
import { rosterErrorRow, rosterRow } from '../../core/grading/roster';
import { needsTestData, setFlags } from '../../core/grading/regrade';
import { SIMILARITY_FLAG_CODES, submissionSimilarityFlags } from '../../core/grading/similarity';
import type { LabWorkerApi } from '../../worker/contract';
import { openSandboxFrame } from '../run/sandbox-frame';
import { findExercise } from '../catalog';
import { useSettingsStore } from '../stores/settings-store';
import {
  DEFAULT_ROSTER,
  deleteEntries,
  loadEntries,
  loadRosters,
  rosterKeyOf,
  saveEntry,
  saveRoster,
  type StoredRoster,
} from '../storage/roster-db';
import { cellKey, type RosterEntry } from './roster-table';
import { gradingHash } from './set-grading-hash';

export interface RosterSummaryItem {
  key: string;
  title: string;
}

export interface RosterState {
  /** False until the stored roster has been read. */
  ready: boolean;
  /** Where a failed read or write of the stored rosters is explained. */
  storageError: string | null;
  rosterKey: string;
  rosters: RosterSummaryItem[];
  entries: RosterEntry[];
  set: CvSet | null;
  setFile: string | null;
  setHash: string;
  setError: string | null;
  /** The lead's comment per cell (`cellKey`). */
  comments: Record<string, string>;
  grading: boolean;
  /** Reads the last opened roster (once). */
  init(): Promise<void>;
  open(key: string): Promise<void>;
  addFiles(files: readonly { name: string; text(): Promise<string> }[]): Promise<void>;
  loadSet(file: { name: string; text(): Promise<string> }): Promise<void>;
  clearSet(): Promise<void>;
  /**
   * Re-grades the entries `ids` (all when absent). With `reproduce`, a training submission's code
   * is also trained again with its recorded seed and backend and its model compared
   * (core/grading/reproduce.ts): one training run per submission.
   */
  regrade(ids?: string[], options?: { reproduce?: boolean }): Promise<void>;
  /** Stops re-grading now: the submission being graded and those after it stay "not re-graded". */
  stopRegrade(): void;
  setComment(learner: string, exerciseId: string, text: string): Promise<void>;
  remove(id: string): Promise<void>;
  clear(): Promise<void>;
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
      weightsVerified: !e.row!.flags.some((f) => f.code === 'model-hash'),
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

/** Import order, across reloads: the time of import, then a counter within it. */
let lastSeq = 0;
const nextSeq = () => (lastSeq = Math.max(lastSeq + 1, Date.now() * 1000));
const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Ends the re-grade in progress (its sandbox and worker); null when none runs. */
let interruptRegrade: (() => void) | null = null;
// Stop may come while a sandbox frame is still opening, before there is anything to interrupt:
// the re-grade checks this once the frame is open.
let stopRequested = false;

class RegradeStopped extends Error {}

/** The seq of each entry in memory, so a rewrite keeps its place. */
const seqOf = new Map<string, number>();

function storedEntry(entry: RosterEntry, rosterKey: string) {
  const seq = seqOf.get(entry.id) ?? nextSeq();
  seqOf.set(entry.id, seq);
  return {
    id: entry.id,
    rosterKey,
    file: entry.file,
    seq,
    // A re-grade cut short by a reload is not a grade.
    state: entry.state === 'grading' ? ('unchecked' as const) : entry.state,
    ...(entry.row && entry.state !== 'grading' ? { row: entry.row } : {}),
    ...(entry.error !== undefined ? { error: entry.error } : {}),
    hasSubmission: Boolean(entry.submission),
    updatedAt: new Date().toISOString(),
  };
}

export const useRosterStore = create<RosterState>()((set, get) => {
  /** Writes, and reports a failure on the page instead of losing it silently. */
  const persist = async (write: () => Promise<void>) => {
    try {
      await write();
    } catch (error) {
      set({ storageError: `The roster could not be saved in this browser: ${messageOf(error)}` });
    }
  };
  const saveEntries = (entries: readonly RosterEntry[], texts: Map<string, string> = new Map()) =>
    persist(async () => {
      const key = get().rosterKey;
      for (const entry of entries) await saveEntry(storedEntry(entry, key), texts.get(entry.id));
    });
  const update = (id: string, patch: Partial<RosterEntry>) => {
    set({ entries: get().entries.map((e) => (e.id === id ? { ...e, ...patch } : e)) });
    const entry = get().entries.find((e) => e.id === id);
    if (entry && entry.state !== 'grading') void saveEntries([entry]);
  };
  const rosterRecord = (): StoredRoster => {
    const { rosterKey, set: loaded, setFile, setHash, comments } = get();
    return {
      key: rosterKey,
      title: loaded?.title ?? 'Without a set',
      ...(loaded ? { setText: JSON.stringify(loaded) } : {}),
      ...(loaded && setFile ? { setFile } : {}),
      setHash,
      comments,
      updatedAt: new Date().toISOString(),
    };
  };
  const saveRosterRecord = () => persist(() => saveRoster(rosterRecord()));
  const refreshList = async () => {
    const stored = await loadRosters();
    const list = stored.map((r) => ({ key: r.key, title: r.title }));
    if (!list.some((r) => r.key === get().rosterKey)) {
      list.push({ key: get().rosterKey, title: get().set?.title ?? 'Without a set' });
    }
    set({ rosters: list.sort((a, b) => a.title.localeCompare(b.title)) });
  };

  /** Reads a stored roster into the page. */
  async function openStored(key: string): Promise<void> {
    const stored = (await loadRosters()).find((r) => r.key === key);
    let loaded: CvSet | null = null;
    if (stored?.setText) {
      try {
        loaded = await parseSet(stored.setText);
      } catch {
        loaded = null;
      }
    }
    const entries: RosterEntry[] = [];
    for (const record of await loadEntries(key)) {
      seqOf.set(record.id, record.seq);
      lastSeq = Math.max(lastSeq, record.seq);
      let submission;
      if (record.text !== undefined) {
        try {
          submission = parseSubmission(record.text);
        } catch {
          submission = undefined;
        }
      }
      entries.push({
        id: record.id,
        file: record.file,
        ...(submission ? { submission } : {}),
        state: record.hasSubmission && !submission ? 'error' : record.state,
        ...(record.row ? { row: record.row } : {}),
        ...(record.error !== undefined
          ? { error: record.error }
          : record.hasSubmission && !submission
            ? { error: 'the stored copy of this file is damaged: import it again' }
            : {}),
      });
    }
    set({
      rosterKey: key,
      set: loaded,
      setFile: loaded ? (stored?.setFile ?? null) : null,
      setHash: loaded ? (stored?.setHash ?? '') : '',
      comments: stored?.comments ?? {},
      entries,
      setError: null,
    });
  }

  /** Entries graded against other targets than the set's now: not re-graded any more. */
  const ungraded = (entries: readonly RosterEntry[]) =>
    entries.map((e) =>
      e.submission && e.state !== 'grading'
        ? { ...e, state: 'unchecked' as const, row: undefined, error: undefined }
        : e,
    );

  return {
    ready: false,
    storageError: null,
    rosterKey: DEFAULT_ROSTER,
    rosters: [],
    entries: [],
    set: null,
    setFile: null,
    setHash: '',
    setError: null,
    comments: {},
    grading: false,
    async init() {
      if (get().ready) return;
      try {
        const stored = await loadRosters();
        const last = [...stored].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
        await openStored(last?.key ?? DEFAULT_ROSTER);
        await refreshList();
      } catch (error) {
        set({ storageError: `The stored rosters could not be read: ${messageOf(error)}` });
      }
      set({ ready: true });
    },
    async open(key) {
      if (get().grading || key === get().rosterKey) return;
      await openStored(key);
      await saveRosterRecord();
      await refreshList();
    },
    async addFiles(files) {
      const added: RosterEntry[] = [];
      const texts = new Map<string, string>();
      for (const file of files) {
        try {
          const submissions = parseSubmissionsFile(await file.text());
          for (const submission of submissions) {
            const id = newId();
            texts.set(id, serializeSubmission(submission));
            added.push({ id, file: file.name, submission, state: 'unchecked' });
          }
        } catch (error) {
          const message = messageOf(error);
          added.push({
            id: newId(),
            file: file.name,
            state: 'error',
            error: message,
            row: rosterErrorRow(file.name, message),
          });
        }
      }
      set({ entries: [...get().entries, ...added] });
      await saveEntries(added, texts);
      await saveRosterRecord();
      await refreshList();
    },
    async loadSet(file) {
      if (get().grading) return;
      let loaded: CvSet;
      try {
        loaded = await parseSet(await file.text());
      } catch (error) {
        set({ setError: `${file.name}: ${messageOf(error)}` });
        return;
      }
      const hash = await gradingHash(loaded);
      const key = rosterKeyOf(loaded.id);
      const from = get();
      if (from.rosterKey !== key) {
        // Submissions dropped before any set was loaded join the set's roster.
        const adopt = from.rosterKey === DEFAULT_ROSTER ? from.entries : [];
        const adoptComments = from.rosterKey === DEFAULT_ROSTER ? from.comments : {};
        await openStored(key);
        if (adopt.length) {
          set({
            entries: [...get().entries, ...ungraded(adopt)],
            comments: { ...adoptComments, ...get().comments },
          });
          await saveEntries(get().entries.filter((e) => adopt.some((a) => a.id === e.id)));
          if (from.rosterKey === DEFAULT_ROSTER) {
            await persist(async () => {
              await saveRoster({
                key: DEFAULT_ROSTER,
                title: 'Without a set',
                setHash: '',
                comments: {},
                updatedAt: new Date(0).toISOString(),
              });
            });
          }
        }
      }
      const keep = get().setHash === hash && get().set !== null;
      const entries = keep ? get().entries : ungraded(get().entries);
      set({ set: loaded, setFile: file.name, setHash: hash, setError: null, entries });
      if (!keep) await saveEntries(entries.filter((e) => e.submission));
      await saveRosterRecord();
      await refreshList();
    },
    async clearSet() {
      if (get().grading) return;
      await saveRosterRecord();
      await openStored(DEFAULT_ROSTER);
      await saveRosterRecord();
      await refreshList();
    },
    async regrade(ids, { reproduce = false } = {}) {
      if (get().grading) return;
      stopRequested = false;
      set({ grading: true });
      try {
        const targets = get().entries.filter((e) => e.submission && (!ids || ids.includes(e.id)));
        for (const target of targets) {
          if (stopRequested) break;
          const submission = target.submission!;
          const known = {
            learner: submission.learner.name,
            exerciseId: submission.exerciseId,
            setTitle: submission.setTitle ?? '',
            backend: submission.environment.backend,
            submittedAt: submission.createdAt,
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
            // Code (function exercises, quizzes; a training submission's code when reproducing)
            // runs again in a fresh sandbox per submission, so nothing one submission does reaches
            // the next; a model is graded in the worker.
            const runsCode = !needsTestData(bundle) || reproduce;
            const sandbox = runsCode ? await openSandboxFrame() : undefined;
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
                if (stopRequested) interruptRegrade();
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
                    ...(reproduce && needsTestData(bundle) ? { reproduce: true } : {}),
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
      stopRequested = true;
      interruptRegrade?.();
    },
    async setComment(learner, exerciseId, text) {
      const comments = { ...get().comments };
      const key = cellKey(learner, exerciseId);
      if (text.trim()) comments[key] = text.slice(0, 5000);
      else delete comments[key];
      set({ comments });
      await saveRosterRecord();
    },
    async remove(id) {
      set({ entries: get().entries.filter((e) => e.id !== id) });
      await persist(() => deleteEntries([id]));
    },
    async clear() {
      const ids = get().entries.map((e) => e.id);
      set({ entries: [], comments: {} });
      await persist(() => deleteEntries(ids));
      await saveRosterRecord();
    },
  };
});
