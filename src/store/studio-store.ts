// The bound store of the page (zustand slices pattern, STYLE.md §6): model, recipe, job, export,
// notice, evaluation, sweep, GPU, offline and result-history slices in one store. High-rate quantize progress lives apart, in progress-store.ts.
import { create } from 'zustand';
import type { StudioState } from './studio-state';
import { createModelSlice } from './model-slice';
import { createJobSlice } from './job-slice';
import { createExportSlice } from './export-slice';
import { createNoticeSlice } from './notice-slice';
import { createEvalSlice } from './eval-slice';
import { createSweepSlice } from './sweep-slice';
import { createRecipeSlice } from './recipe-slice';
import { createGpuSlice } from './gpu-slice';
import { createOfflineSlice } from './offline-slice';
import { createResultHistorySlice } from './result-history-slice';

export const useStudioStore = create<StudioState>()((...a) => ({
  ...createModelSlice(...a),
  ...createJobSlice(...a),
  ...createExportSlice(...a),
  ...createNoticeSlice(...a),
  ...createEvalSlice(...a),
  ...createSweepSlice(...a),
  ...createRecipeSlice(...a),
  ...createGpuSlice(...a),
  ...createOfflineSlice(...a),
  ...createResultHistorySlice(...a),
}));
