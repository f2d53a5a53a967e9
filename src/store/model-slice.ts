// The opened model: what the worker said about it (summary only; the bytes stay in the worker).
// A failed load keeps the previous model and result on the page (issue: "nothing already done is
// lost"). A recipe file dropped or picked on its own goes to the recipe editor instead, and a
// llama.cpp importance matrix (imatrix GGUF or legacy .dat) to the recipe's importance source.
import type { StateCreator } from 'zustand';
import { UsageError } from '../core/errors';
import type { ModelSummary } from '../core/model-summary';
import { progressCallback } from '../workers/studio-client';
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
  /** Building the open GGUF/safetensors model's ONNX graph: bytes written of the total, null when not building. */
  graphBuild: { written: number; total: number } | null;
  /** Builds the model's ONNX graph and opens it in the model's place (the model stays when it fails or is cancelled). */
  buildGraph(options?: { float16?: boolean }): Promise<void>;
  cancelGraphBuild(): void;
}

function describeFiles(files: File[]): string {
  if (files.length === 0) return '';
  return files.length === 1 ? files[0].name : `${files[0].name} + ${files.length - 1} more`;
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get) => {
  let loadSerial = 0;

  /** A lone .json that is a recipe (it has a "recipe" field): its parsed data, else undefined. */
  async function recipeFile(files: File[]): Promise<unknown> {
    if (files.length !== 1 || !/\.json$/i.test(files[0].name) || /^(config|tokenizer|tokenizer_config|generation_config)\.json$/i.test(files[0].name)) return undefined;
    try {
      const value = JSON.parse(await files[0].text());
      return value && typeof value === 'object' && 'recipe' in value ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** A lone importance-matrix file (llama-imatrix's GGUF, told by the worker from its first bytes, or legacy .dat). */
  async function isImatrixFile(files: File[]): Promise<boolean> {
    if (files.length !== 1 || !/\.(gguf|dat)$/i.test(files[0].name)) return false;
    try {
      return await studioClient().isImatrix(files[0]);
    } catch {
      return false; // not readable as one: open it as a model, which says what is wrong
    }
  }

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
    async openFiles(files) {
      const recipe = await recipeFile(files);
      if (recipe !== undefined) return get().loadRecipe(recipe, files[0].name);
      if (await isImatrixFile(files)) {
        if (!get().model) return get().showError('load', new UsageError(`${files[0].name} is a llama.cpp importance matrix: open a model first, then drop it (or use Load imatrix…) to weigh its llama.cpp types`));
        return get().addImatrixFile(files[0]);
      }
      return open(async () => files, describeFiles(files));
    },
    openSample: () => open(fetchSampleFiles, 'the sample model'),
    graphBuild: null,
    async buildGraph(options) {
      const s = get();
      if (!s.model || s.graphBuild || s.jobStatus !== 'idle' || s.loadStatus !== 'idle') return;
      set({ graphBuild: { written: 0, total: 0 }, notice: null });
      try {
        const model = await studioClient().buildGraph(progressCallback((p: { written: number; total: number }) => set({ graphBuild: p })), options);
        set((st) => ({ model, modelSerial: st.modelSerial + 1, report: null, lastSaved: null }));
      } catch (error) {
        get().showError('load', error);
      } finally {
        set({ graphBuild: null });
      }
    },
    cancelGraphBuild() {
      if (get().graphBuild) void studioClient().cancel();
    },
  };
};
