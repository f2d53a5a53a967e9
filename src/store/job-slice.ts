// The compress run: the editor's recipe for the chosen format, run by the worker on the GPU, with
// progress and cancel; its report. A cancelled or failed run leaves the previous report in place
// (the worker keeps its result too). A size budget is a job too: it writes the editor's recipe.
import type { StateCreator } from 'zustand';
import type { CompressReport } from '../core/compression-report';
import { BUDGET_CALIBRATION_WINDOWS, type BudgetSummary, type BudgetTarget } from '../core/size-budget';
import { canonicalRecipe } from '../core/recipe-id';
import { progressCallback } from '../workers/studio-client';
import { setProgress } from './progress-store';
import { studioClient } from './studio-client';
import type { StudioState } from './studio-state';

export interface JobSlice {
  jobStatus: 'idle' | 'running' | 'cancelling';
  report: CompressReport | null;
  compress(): Promise<void>;
  cancelCompress(): void;
  /** The last size budget's figures (its recipe went into the editor). */
  budget: BudgetSummary | null;
  /** Writes the editor's recipe from a size budget for the chosen format (calibrates on the recipe's text, else the bundled one). */
  fitBudget(target: BudgetTarget): Promise<void>;
}

export const createJobSlice: StateCreator<StudioState, [], [], JobSlice> = (set, get) => ({
  jobStatus: 'idle',
  report: null,
  budget: null,

  async compress() {
    const s = get();
    if (!s.model || s.jobStatus !== 'idle' || s.loadStatus !== 'idle' || s.exportStatus !== 'idle') return;
    const modelSerial = s.modelSerial;
    set({ jobStatus: 'running', notice: null });
    setProgress(null);
    try {
      const report = await studioClient().compress({ recipe: canonicalRecipe(s.recipe), format: s.outputFormat, backend: s.evalBackend }, progressCallback(setProgress));
      if (get().modelSerial === modelSerial) set({ report, lastSaved: null, resultEval: null });
    } catch (error) {
      get().showError('compress', error);
      void get().refreshGpuStatus(); // a lost device is replaced now, and the header says so
    } finally {
      set({ jobStatus: 'idle' });
      setProgress(null);
    }
  },

  async fitBudget(target) {
    const s = get();
    if (!s.model || s.jobStatus !== 'idle' || s.loadStatus !== 'idle' || s.exportStatus !== 'idle') return;
    const modelSerial = s.modelSerial;
    set({ jobStatus: 'running', notice: null });
    setProgress(null);
    try {
      const calibration = { text: s.recipe.calibration?.text ?? 'builtin', windows: BUDGET_CALIBRATION_WINDOWS };
      const budget = await studioClient().fitBudget({ target, format: s.outputFormat, backend: s.evalBackend, calibration }, progressCallback(setProgress));
      if (get().modelSerial === modelSerial) set({ budget, recipe: budget.recipe, quickRecipeId: null, planError: null });
    } catch (error) {
      get().showError('budget', error);
      void get().refreshGpuStatus(); // a lost device is replaced now, and the header says so
    } finally {
      set({ jobStatus: 'idle' });
      setProgress(null);
    }
  },

  cancelCompress() {
    if (get().jobStatus !== 'running') return;
    set({ jobStatus: 'cancelling' });
    void studioClient().cancel();
  },
});
