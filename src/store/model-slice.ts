// The opened model: what the worker said about it (summary only; the bytes stay in the worker).
// A failed load keeps the previous model and result on the page (issue: "nothing already done is
// lost"). A recipe file dropped or picked on its own goes to the recipe editor instead, and a
// llama.cpp importance matrix (imatrix GGUF or legacy .dat), alone or beside the model it was
// measured on, to the recipe's importance source.
// Nothing is opened behind the person's back: a drop holding several models asks which one, and a
// drop (or the sample) while a run is going asks whether to stop the run first (`pendingOpen`).
import type { StateCreator } from 'zustand';
import { FormatError, UsageError } from '../core/errors';
import type { ModelSummary } from '../core/model-summary';
import { progressCallback } from '../workers/studio-client';
import { studioClient } from './studio-client';
import { filesForCandidate, modelCandidates, pickModelFiles, type ModelCandidate } from './pick-model-files';
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
  /** A drop waiting for the person: which of several models to open, or whether to stop the run going on. */
  pendingOpen: PendingOpen | null;
  /** Opens candidate `choice` (several models), stops the run and opens ('stop-run'), or drops the request (null). */
  resolvePendingOpen(choice: number | 'stop-run' | null): Promise<void>;
}

export type PendingOpen =
  | { kind: 'choose-model'; candidates: string[] }
  /** `running`: what is going on, in words; `label`: what would be opened. */
  | { kind: 'stop-run'; running: string; label: string };

/** What is running that opening another model would stop, in words (undefined when nothing is). */
function runningWork(s: StudioState): string | undefined {
  if (s.jobStatus !== 'idle') return 'a compression run';
  if (s.sweepStatus !== 'idle') return 'a sweep';
  if (s.evalStatus !== 'idle') return 'an evaluation';
  if (s.graphBuild) return 'building the ONNX graph';
  if (s.exportStatus !== 'idle') return 'writing a download';
  if (s.loadStatus !== 'idle') return 'opening a model';
  return undefined;
}

function describeFiles(files: File[]): string {
  if (files.length === 0) return '';
  return files.length === 1 ? files[0].name : `${files[0].name} + ${files.length - 1} more`;
}

export const createModelSlice: StateCreator<StudioState, [], [], ModelSlice> = (set, get, store) => {
  let loadSerial = 0;

  /**
   * A lone .json that is a recipe (it has a "recipe" field): its parsed data; undefined when it is
   * not one. A lone .json (not a model's config or tokenizer) that does not parse is an error
   * naming it: it was meant as a recipe, and "no model file" would name the wrong thing.
   */
  async function recipeFile(files: File[]): Promise<unknown> {
    if (files.length !== 1 || !/\.json$/i.test(files[0].name) || /^(config|tokenizer|tokenizer_config|generation_config)\.json$/i.test(files[0].name)) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(await files[0].text());
    } catch (e) {
      throw new FormatError(`not valid JSON: ${(e as Error).message}`, 0, files[0].name);
    }
    return value && typeof value === 'object' && 'recipe' in value ? value : undefined;
  }

  /** An importance-matrix file (llama-imatrix's GGUF, told by the worker from its first bytes, or legacy .dat). */
  async function isImatrixFile(file: File): Promise<boolean> {
    if (!/\.(gguf|dat)$/i.test(file.name)) return false;
    try {
      return await studioClient().isImatrix(file);
    } catch {
      return false; // not readable as one: open it as a model, which says what is wrong
    }
  }

  /** The drop or sample waiting in `pendingOpen`. */
  let waiting: { files: File[]; candidates: ModelCandidate[] } | { getFiles: () => Promise<File[]>; label: string } | null = null;

  /** Opens now, or, while something runs, asks first. */
  function openOrAsk(getFiles: () => Promise<File[]>, label: string): Promise<void> {
    const running = runningWork(get());
    if (!running) return open(getFiles, label);
    waiting = { getFiles, label };
    set({ pendingOpen: { kind: 'stop-run', running, label } });
    return Promise.resolve();
  }

  /** Stops what runs — a sweep pauses, so its finished points stay — and resolves once all is idle. */
  function stopRunning(): Promise<void> {
    const s = get();
    if (s.jobStatus === 'running') s.cancelCompress();
    if (s.sweepStatus === 'running') s.pauseSweep();
    if (s.evalStatus === 'running') s.cancelEvaluate();
    if (s.graphBuild) s.cancelGraphBuild();
    return new Promise((done) => {
      const check = (st: StudioState) => {
        if (runningWork(st)) return false;
        unsubscribe();
        done();
        return true;
      };
      const unsubscribe = store.subscribe((st) => void check(st));
      check(get());
    });
  }

  async function open(getFiles: () => Promise<File[]>, label: string): Promise<void> {
    if (runningWork(get())) return;
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
      let recipe: unknown;
      try {
        recipe = await recipeFile(files);
      } catch (error) {
        return get().showError('recipe', error);
      }
      if (recipe !== undefined) return get().loadRecipe(recipe, files[0].name);
      const imatrices: File[] = [];
      for (const f of files) if (await isImatrixFile(f)) imatrices.push(f);
      if (imatrices.length > 0) {
        // A model dropped with its importance matrix: the model opens, the matrix goes to the recipe.
        const rest = files.filter((f) => !imatrices.includes(f));
        if (rest.length > 0) await get().openFiles(rest);
        if (!get().model) return get().showError('load', new UsageError(`${imatrices[0].name} is a llama.cpp importance matrix: open a model first, then drop it (or use Load imatrix…) to weigh its llama.cpp types`));
        for (const f of imatrices) await get().addImatrixFile(f);
        return;
      }
      const candidates = modelCandidates(files);
      if (candidates.length > 1) {
        waiting = { files, candidates };
        set({ pendingOpen: { kind: 'choose-model', candidates: candidates.map((c) => c.label) } });
        return;
      }
      return openOrAsk(async () => files, describeFiles(files));
    },
    openSample: () => openOrAsk(fetchSampleFiles, 'the sample model'),
    pendingOpen: null,
    async resolvePendingOpen(choice) {
      const w = waiting;
      waiting = null;
      set({ pendingOpen: null });
      if (!w || choice === null) return;
      if ('candidates' in w) {
        if (typeof choice !== 'number' || !w.candidates[choice]) return;
        const files = filesForCandidate(w.files, w.candidates, choice);
        return openOrAsk(async () => files, w.candidates[choice].label);
      }
      if (choice !== 'stop-run') return;
      await stopRunning();
      return open(w.getFiles, w.label);
    },
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
