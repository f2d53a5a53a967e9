// The compress run: the editor's recipe for the chosen format, run by the worker on the GPU, with
// progress and cancel; its report. A cancelled or failed run leaves the previous report in place
// (the worker keeps its result too).
import type { StateCreator } from 'zustand';
import type { CompressReport } from '../core/compression-report';
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
}

export const createJobSlice: StateCreator<StudioState, [], [], JobSlice> = (set, get) => ({
  jobStatus: 'idle',
  report: null,

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
