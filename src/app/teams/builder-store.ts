/** The set builder's form, kept while the lead moves around the app (not across reloads). */
import { create } from 'zustand';
import { emptyForm, type BuilderForm } from './builder';

export interface BuilderState {
  form: BuilderForm;
  update(patch: Partial<BuilderForm>): void;
  reset(): void;
}

export const useBuilderStore = create<BuilderState>()((set, get) => ({
  form: emptyForm,
  update: (patch) => set({ form: { ...get().form, ...patch } }),
  reset: () => set({ form: emptyForm }),
}));
