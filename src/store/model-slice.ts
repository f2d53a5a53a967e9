// The opened model: what the worker said about it (summary only; the bytes stay in the worker).
// A failed load keeps the previous model and result on the page (issue: "nothing already done is lost").
import type { StateCreator } from 'zustand';
import type { ModelSummary } from '../workers/studio-api';
import { studioClient } from './studio-client';
import { pickModelFiles } from './pick-model-files';
import { fetchSampleFiles } from './sample-files';
import type { StudioState } from './studio-state';

export interface ModelSlice {
  model: ModelSummary | null;
  /** Counts successful loads, so views can reset per model. */
  modelSerial: number;
  loadStatus: 'idle' | 'loading';
  /** What is being opened, for the busy label ("model.onnx + 1 more"). */
  loadingLabel: string;
  openFiles(files: File[]): Promise<void>;
  openSample(): Promise<void>;
}

function describeFiles(files: File[]): string {
  if (files.length === 0) return '';
  return files.length === 1 ? files[0].name : `${files[0].name} + ${files.length - 1} more`;
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => {
  let loadSerial = 0;

  async function open(getFiles: () => Promise<File[]>, label: string): Promise<void> {
    if (get().jobStatus !== 'idle') return;
    const serial = ++loadSerial;
    set({ loadStatus: 'loading', loadingLabel: label, notice: null });
    try {
      const files = pickModelFiles(await getFiles());
      if (serial === loadSerial) set({ loadingLabel: describeFiles(files) || label });
      const model = await studioClient().open(files);
      if (serial !== loadSerial) return;
      set((s) => ({ model, modelSerial: s.modelSerial + 1, report: null, lastSaved: null }));
    } catch (error) {
      if (serial === loadSerial) get().showError('load', error);
    } finally {
      if (serial === loadSerial) set({ loadStatus: 'idle', loadingLabel: '' });
    }
  }

  return {
    model: null,
    modelSerial: 0,
    loadStatus: 'idle',
    loadingLabel: '',
    openFiles: (files) => open(async () => files, describeFiles(files)),
    openSample: () => open(fetchSampleFiles, 'the sample model'),
  };
};
