/**
 * The set builder's form, kept while the lead moves around the app and across reloads: every change
 * is saved (after a short pause) in the roster database's `builder` store, and read back once.
 */
import { create } from 'zustand';
import { loadBuilderDraft, saveBuilderDraft } from '../storage/roster-db';
import { emptyForm, type BuilderForm } from './builder';

export interface BuilderState {
  form: BuilderForm;
  /** True once the stored draft (if any) has been read. */
  restored: boolean;
  restore(): Promise<void>;
  update(patch: Partial<BuilderForm>): void;
  reset(): void;
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;

function saveSoon(form: BuilderForm): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    // A draft that cannot be saved stays in memory; the page keeps working.
    saveBuilderDraft(form).catch(() => {});
  }, 300);
}

export const useBuilderStore = create<BuilderState>()((set, get) => ({
  form: emptyForm,
  restored: false,
  async restore() {
    if (get().restored) return;
    try {
      const stored = await loadBuilderDraft();
      // Typing that happened before the read wins over the stored draft.
      if (stored && get().form === emptyForm) set({ form: stored as BuilderForm });
    } catch {
      // No stored draft: start empty.
    }
    set({ restored: true });
  },
  update: (patch) => {
    set({ form: { ...get().form, ...patch } });
    saveSoon(get().form);
  },
  reset: () => {
    set({ form: emptyForm });
    saveSoon(emptyForm);
  },
}));
