// The whole store's type: the slices spread into one bound store (zustand slices pattern).
import type { ModelSlice } from './model-slice';
import type { JobSlice } from './job-slice';
import type { ExportSlice } from './export-slice';
import type { NoticeSlice } from './notice-slice';
import type { EvalSlice } from './eval-slice';
import type { SweepSlice } from './sweep-slice';
import type { RecipeSlice } from './recipe-slice';
import type { GpuSlice } from './gpu-slice';
import type { OfflineSlice } from './offline-slice';
import type { ResultHistorySlice } from './result-history-slice';

export type StudioState = ModelSlice & JobSlice & ExportSlice & NoticeSlice & EvalSlice & SweepSlice & RecipeSlice & GpuSlice & OfflineSlice & ResultHistorySlice;
