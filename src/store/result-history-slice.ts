// The compress results of the open model, kept by the worker in IndexedDB (one record per run,
// keyed by the model's content): listed newest first, back after a reload, run again from their
// recipe (runs are deterministic: the same file), and deleted only after a confirming click, with
// undo. A compress run adds its record; this slice refreshes the list when a run ends.
import type { StateCreator } from 'zustand';
import type { ResultRecord } from '../core/compression-report';
import { studioClient } from './studio-client';
import type { StudioState } from './studio-state';

export interface ResultHistorySlice {
  /** Every compress result of the model, newest first. */
  results: ResultRecord[];
  /** The result deleted last, until undone or another is deleted. */
  deletedResult: ResultRecord | null;
  refreshResults(): Promise<void>;
  /** Puts the result's recipe and format in the editor and compresses again. */
  rerunResult(id: string): Promise<void>;
  deleteResult(id: string): Promise<void>;
  undoDeleteResult(): Promise<void>;
}

export const createResultHistorySlice: StateCreator<StudioState, [], [], ResultHistorySlice> = (set, get, api) => {
  // A new model: its own results. A compress run that ends: its record joins the list.
  api.subscribe((s, prev) => {
    if (s.modelSerial !== prev.modelSerial) {
      set({ results: [], deletedResult: null });
      if (s.model) void get().refreshResults();
    } else if (s.report !== prev.report && s.report) void get().refreshResults();
  });

  return {
    results: [],
    deletedResult: null,

    async refreshResults() {
      const modelSerial = get().modelSerial;
      try {
        const results = await studioClient().resultHistory();
        if (get().modelSerial === modelSerial) set({ results });
      } catch (error) {
        if (get().modelSerial === modelSerial) get().showError('compress', error);
      }
    },

    async rerunResult(id) {
      const record = get().results.find((r) => r.id === id);
      if (!record || get().jobStatus !== 'idle') return;
      await get().loadRecipe(record.report.recipe, record.fileName);
      if (get().notice) return; // the recipe did not check out: the banner says why
      set({ outputFormat: record.report.format });
      await get().compress();
    },

    async deleteResult(id) {
      const record = get().results.find((r) => r.id === id);
      if (!record) return;
      try {
        await studioClient().deleteResult(id);
        set((s) => ({ deletedResult: record, results: s.results.filter((r) => r.id !== id) }));
      } catch (error) {
        get().showError('compress', error);
      }
    },

    async undoDeleteResult() {
      const record = get().deletedResult;
      if (!record) return;
      try {
        await studioClient().restoreResult(record);
        set((s) => ({ deletedResult: null, results: [...s.results, record].sort((a, b) => b.at - a.at) }));
      } catch (error) {
        get().showError('compress', error);
      }
    },
  };
};
