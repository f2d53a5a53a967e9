// Sweeps: the axes form, the run (start, pause, cancel, resume), the finished points and the
// original's reference, the selected point and its export, and the history of the model's runs.
// Every run lives in the worker's IndexedDB: on every model load the latest run is shown again,
// a run that a reload interrupted (status 'running') resumes by itself with the same request,
// and earlier runs stay in the history — reopened, compared on one chart, exported, and deleted
// only on a confirmed click, with undo.
import { proxy } from 'comlink';
import type { StateCreator } from 'zustand';
import type { EvalReport } from '../core/evaluation';
import { DEFAULT_CALIBRATION, PRUNE_METHODS, RTN_BITS, RTN_GROUP_SIZES, type PruneMethodId, type RtnBits, type RtnGroupSize } from '../core/recipe';
import { sameEvalSettings, SWEEP_QUANTIZE_METHODS, type SweepPoint, type SweepQuantizeMethod, type SweepRequest, type SweepSparsity, type SweepState, type SweepStatus } from '../core/sweep';
import type { SweepCallbacks } from '../workers/studio-api';
import { evalRequest } from './eval-slice';
import { downloadBlob, pickSaveTarget, savePicker } from './save-file';
import { studioClient } from './studio-client';
import { axesForm, SWEEP_GGUF_TYPES, SWEEP_SPARSITIES, toggled, toSweepAxes, type SweepAxesForm, type SweepSelectionKind } from './sweep-axes';
import { pointFileName, type QualityMetric, type SizeAxis } from './sweep-export';
import { toSweepError, type SweepError } from './sweep-errors';
import { setSweepProgress } from './sweep-progress';
import type { StudioState } from './studio-state';

const SELECTION_KINDS: readonly SweepSelectionKind[] = ['all-matmuls', 'all-but-embeddings-and-head', 'custom'];
/** Bits and blocks in the order the form shows them. */
export const SWEEP_BITS: readonly RtnBits[] = [...RTN_BITS].reverse();
export const SWEEP_BLOCKS: readonly RtnGroupSize[] = ['per-channel', ...RTN_GROUP_SIZES];

export interface SweepSlice extends SweepAxesForm {
  /** What this page is doing with the sweep right now. */
  sweepStatus: 'idle' | 'running' | 'pausing' | 'cancelling';
  /** The saved sweep's status (null: no sweep for this model). */
  sweepRunStatus: SweepStatus | null;
  sweepRequest: SweepRequest | null;
  sweepGridIds: string[];
  sweepPoints: SweepPoint[];
  sweepReference: EvalReport | null;
  sweepError: SweepError | null;
  selectedPointId: string | null;
  sizeAxis: SizeAxis;
  /** The charts' vertical axis. */
  qualityMetric: QualityMetric;
  pointSaved: { fileName: string; bytesWritten: number } | null;
  /** The open run's id in the history (null: the next sweep starts a new run). */
  sweepRunId: string | null;
  /** Every run of the model, newest first (the open one as last saved: its live points are `sweepPoints`). */
  sweepHistory: SweepState[];
  /** Runs shown beside the open one on the chart and in the table. */
  comparedRunIds: string[];
  /** The run deleted last, until undone or another is deleted. */
  deletedRun: SweepState | null;
  /** A finished point could not be saved (storage full): on the page only, a reload loses it. */
  sweepSaveWarning: string | null;
  toggleSweepBits(bits: RtnBits): void;
  toggleSweepBlock(block: RtnGroupSize): void;
  toggleSweepSymmetric(symmetric: boolean): void;
  toggleSweepQuantizeMethod(method: SweepQuantizeMethod): void;
  toggleSweepSelection(kind: SweepSelectionKind): void;
  toggleSweepGgufType(type: string): void;
  /** llama.cpp points without (false) and/or with (true) an importance matrix. */
  toggleSweepGgufImatrix(on: boolean): void;
  setSweepInclude(pattern: string): void;
  setSweepExclude(pattern: string): void;
  setSweepBase(id: string): void;
  toggleSweepSparsity(s: SweepSparsity): void;
  toggleSweepPruneMethod(m: PruneMethodId): void;
  setSweepUnquantized(on: boolean): void;
  setSweepCalibrationWindows(windows: number): void;
  /** Size-budget points at these bits per weight. */
  setSweepBudgets(budgets: number[]): void;
  startSweep(): Promise<void>;
  resumeSweep(): Promise<void>;
  pauseSweep(): void;
  cancelSweep(): void;
  /** Empties the view: the next run is a new one; the history keeps the open run. */
  newSweep(): void;
  /** Shows the open model's saved sweep; resumes it when a reload interrupted it. */
  restoreSweep(): Promise<void>;
  refreshSweepHistory(): Promise<void>;
  /** Makes a run of the history the open one (its form, points and reference). */
  openSweepRun(runId: string): Promise<void>;
  /** Deletes a run (the page asks first); `undoDeleteSweepRun` puts it back. */
  deleteSweepRun(runId: string): Promise<void>;
  undoDeleteSweepRun(): Promise<void>;
  toggleComparedRun(runId: string): void;
  selectPoint(id: string | null): void;
  setSizeAxis(axis: SizeAxis): void;
  setQualityMetric(metric: QualityMetric): void;
  /** Call straight from a click: the save picker needs the user's gesture. */
  exportSelectedPoint(): Promise<void>;
}

const EMPTY_SWEEP = {
  sweepStatus: 'idle',
  sweepRunStatus: null,
  sweepRequest: null,
  sweepGridIds: [],
  sweepPoints: [],
  sweepReference: null,
  sweepError: null,
  selectedPointId: null,
  pointSaved: null,
  sweepRunId: null,
  sweepSaveWarning: null,
} as const satisfies Partial<SweepSlice>;

/** What a model change resets besides the open run (the history is the new model's). */
const EMPTY_HISTORY = { sweepHistory: [], comparedRunIds: [], deletedRun: null } satisfies Partial<SweepSlice>;

function withPoint(points: readonly SweepPoint[], point: SweepPoint): SweepPoint[] {
  return [...points.filter((p) => p.id !== point.id), point];
}

/**
 * Whether "Run sweep" starts a new run now rather than adding to the open one: the evaluation
 * settings (windows, backend, text) differ from the open run's. Nothing is replaced either way.
 */
export function startsNewRun(s: StudioState): boolean {
  if (!s.sweepRequest || s.sweepPoints.length === 0) return false;
  return !sameEvalSettings(s.sweepRequest, evalRequest(s));
}

/** The runs shown beside the open one (as the history last saved them). */
export function comparedRuns(s: Pick<StudioState, 'sweepHistory' | 'comparedRunIds' | 'sweepRunId'>): SweepState[] {
  return s.sweepHistory.filter((r) => r.runId !== s.sweepRunId && s.comparedRunIds.includes(r.runId));
}

export const createSweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set, get, api) => {
  /** Bumped by every run and model change; callbacks of an older run are ignored. */
  let runToken = 0;

  api.subscribe((s, prev) => {
    if (s.modelSerial === prev.modelSerial) return;
    runToken++;
    set({ ...EMPTY_SWEEP, ...EMPTY_HISTORY, sweepGridIds: [], sweepPoints: [] });
    setSweepProgress(null);
    if (s.model) void get().restoreSweep();
  });

  const isCurrent = (token: number) => token === runToken;

  function applyState(state: SweepState): void {
    set((s) => ({
      sweepRunId: state.runId,
      sweepRunStatus: state.status,
      sweepRequest: state.request,
      sweepGridIds: state.gridIds,
      sweepPoints: state.points,
      sweepReference: state.reference,
      selectedPointId: state.points.some((p) => p.id === s.selectedPointId) ? s.selectedPointId : null,
    }));
  }

  /** Shows a run of the history as the open one: its points, and its axes and evaluation settings in the forms. */
  function showRun(state: SweepState): void {
    applyState(state);
    const { axes, windows, executionProvider, text } = state.request;
    set({
      ...axesForm(axes),
      evalWindows: windows,
      evalBackend: executionProvider,
      ...(text ? { evalTextSource: 'user', evalUserText: text } : { evalTextSource: 'bundled' }),
    });
  }

  async function run(request: SweepRequest): Promise<void> {
    const s = get();
    if (!s.model || s.sweepStatus !== 'idle' || s.evalStatus !== 'idle' || s.jobStatus !== 'idle') return;
    const token = ++runToken;
    // Other evaluation settings: the worker starts afresh, so does the chart.
    // Other evaluation settings: the worker starts a new run (the open one stays in the history), so does the chart.
    const fresh = !s.sweepRequest || !sameEvalSettings(s.sweepRequest, request);
    set({
      sweepStatus: 'running',
      sweepRunStatus: 'running',
      sweepRequest: request,
      sweepError: null,
      sweepSaveWarning: null,
      ...(fresh ? { sweepPoints: [], sweepReference: null, sweepGridIds: [], selectedPointId: null, sweepRunId: null } : {}),
    });
    setSweepProgress(null);
    const callbacks: SweepCallbacks = {
      onRun: (state) => {
        if (!isCurrent(token)) return;
        set({ sweepRunId: state.runId, sweepGridIds: state.gridIds });
        void get().refreshSweepHistory(); // the running run joins the list now, not when it ends
      },
      onPoint: (point) => {
        if (isCurrent(token)) set((st) => ({ sweepPoints: withPoint(st.sweepPoints, point) }));
      },
      onProgress: (progress) => {
        if (isCurrent(token)) setSweepProgress(progress);
      },
      onReference: (reference) => {
        if (isCurrent(token)) set({ sweepReference: reference });
      },
      onSaveFailed: (message) => {
        if (isCurrent(token)) set({ sweepSaveWarning: message });
      },
    };
    try {
      const state = await studioClient().runSweep(request, proxy(callbacks));
      if (isCurrent(token)) applyState(state);
    } catch (error) {
      if (isCurrent(token)) set({ sweepError: toSweepError(error), sweepRunStatus: 'paused' });
      void get().refreshGpuStatus(); // a lost device is replaced now, and the header says so
    } finally {
      if (isCurrent(token)) {
        set({ sweepStatus: 'idle' });
        setSweepProgress(null);
        void get().refreshSweepHistory();
      }
    }
  }

  return {
    sweepBits: [8, 4],
    sweepBlocks: [32],
    sweepSymmetric: [false],
    sweepQuantizeMethods: ['rtn'],
    sweepSelections: ['all-matmuls'],
    sweepInclude: '',
    sweepExclude: '',
    sweepGgufTypes: [],
    sweepGgufImatrix: [false],
    sweepBase: 'none',
    sweepUnquantized: false,
    sweepSparsities: [0],
    sweepPruneMethods: ['magnitude'],
    sweepCalibrationWindows: DEFAULT_CALIBRATION.windows,
    sweepBudgets: [],
    ...EMPTY_SWEEP,
    ...EMPTY_HISTORY,
    sweepGridIds: [],
    sweepPoints: [],
    sizeAxis: 'mb',
    qualityMetric: 'ppl',

    toggleSweepBits: (bits) => set((s) => ({ sweepBits: toggled(s.sweepBits, bits, SWEEP_BITS) })),
    toggleSweepBlock: (block) => set((s) => ({ sweepBlocks: toggled(s.sweepBlocks, block, SWEEP_BLOCKS) })),
    toggleSweepSymmetric: (sym) => set((s) => ({ sweepSymmetric: toggled(s.sweepSymmetric, sym, [false, true]) })),
    toggleSweepQuantizeMethod: (m) => set((s) => ({ sweepQuantizeMethods: toggled(s.sweepQuantizeMethods ?? ['rtn'], m, SWEEP_QUANTIZE_METHODS) })),
    toggleSweepSelection: (kind) => set((s) => ({ sweepSelections: toggled(s.sweepSelections, kind, SELECTION_KINDS) })),
    toggleSweepGgufType: (type) => set((s) => ({ sweepGgufTypes: toggled(s.sweepGgufTypes ?? [], type, SWEEP_GGUF_TYPES) })),
    toggleSweepGgufImatrix: (on) => set((s) => ({ sweepGgufImatrix: toggled(s.sweepGgufImatrix ?? [false], on, [false, true]) })),
    setSweepInclude: (sweepInclude) => set({ sweepInclude }),
    setSweepExclude: (sweepExclude) => set({ sweepExclude }),
    setSweepBase: (sweepBase) => set({ sweepBase }),
    toggleSweepSparsity: (v) => set((s) => ({ sweepSparsities: toggled(s.sweepSparsities ?? [], v, SWEEP_SPARSITIES) })),
    toggleSweepPruneMethod: (m) => set((s) => ({ sweepPruneMethods: toggled(s.sweepPruneMethods ?? [], m, PRUNE_METHODS) })),
    setSweepUnquantized: (sweepUnquantized) => set({ sweepUnquantized }),
    setSweepCalibrationWindows: (sweepCalibrationWindows) => set({ sweepCalibrationWindows }),
    setSweepBudgets: (sweepBudgets) => set({ sweepBudgets }),

    startSweep: () => {
      const s = get();
      return run({ axes: toSweepAxes(s), ...evalRequest(s) });
    },

    resumeSweep: () => {
      const request = get().sweepRequest;
      return request ? run(request) : Promise.resolve();
    },

    pauseSweep() {
      if (get().sweepStatus !== 'running') return;
      set({ sweepStatus: 'pausing' });
      void studioClient().pauseSweep();
    },

    cancelSweep() {
      const status = get().sweepStatus;
      if (status !== 'running' && status !== 'pausing') return;
      set({ sweepStatus: 'cancelling' });
      void studioClient().cancelSweep();
    },

    newSweep() {
      if (get().sweepStatus !== 'idle' || !get().model) return;
      void studioClient().newSweep();
      runToken++;
      set({ ...EMPTY_SWEEP, sweepGridIds: [], sweepPoints: [] });
    },

    async refreshSweepHistory() {
      const token = runToken;
      try {
        const sweepHistory = await studioClient().sweepHistory();
        if (!isCurrent(token)) return;
        const ids = new Set(sweepHistory.map((r) => r.runId));
        set((s) => ({ sweepHistory, comparedRunIds: s.comparedRunIds.filter((id) => ids.has(id)) }));
      } catch (error) {
        if (isCurrent(token)) set({ sweepError: toSweepError(error) });
      }
    },

    async openSweepRun(runId) {
      if (get().sweepStatus !== 'idle' || !get().model) return;
      const token = ++runToken;
      try {
        const run = await studioClient().openSweep(runId);
        if (!isCurrent(token)) return;
        set({ ...EMPTY_SWEEP, comparedRunIds: get().comparedRunIds.filter((id) => id !== runId) });
        showRun(run);
      } catch (error) {
        if (isCurrent(token)) set({ sweepError: toSweepError(error) });
      }
    },

    async deleteSweepRun(runId) {
      const run = get().sweepHistory.find((r) => r.runId === runId);
      if (!run || !get().model) return;
      const open = get().sweepRunId === runId;
      if (open && get().sweepStatus !== 'idle') return;
      try {
        await studioClient().deleteSweep(runId);
        if (open) {
          runToken++;
          set({ ...EMPTY_SWEEP, sweepGridIds: [], sweepPoints: [] });
        }
        // The open run's live points, not its last save, are what undo must bring back.
        const kept = open ? { ...run, points: get().sweepPoints.length ? get().sweepPoints : run.points } : run;
        set((s) => ({ deletedRun: kept, sweepHistory: s.sweepHistory.filter((r) => r.runId !== runId), comparedRunIds: s.comparedRunIds.filter((id) => id !== runId) }));
      } catch (error) {
        set({ sweepError: toSweepError(error) });
      }
    },

    async undoDeleteSweepRun() {
      const run = get().deletedRun;
      if (!run) return;
      try {
        await studioClient().restoreSweepRun(run);
        set({ deletedRun: null });
        await get().refreshSweepHistory();
      } catch (error) {
        set({ sweepError: toSweepError(error) });
      }
    },

    toggleComparedRun: (runId) =>
      set((s) => ({ comparedRunIds: s.comparedRunIds.includes(runId) ? s.comparedRunIds.filter((id) => id !== runId) : [...s.comparedRunIds, runId] })),

    async restoreSweep() {
      const token = runToken;
      let saved: SweepState | null;
      try {
        saved = await studioClient().savedSweep();
      } catch (error) {
        if (isCurrent(token)) set({ sweepError: toSweepError(error) });
        return;
      }
      void get().refreshSweepHistory();
      if (!saved || !isCurrent(token) || get().sweepStatus !== 'idle') return;
      showRun(saved);
      if (saved.status === 'running') await run(saved.request);
    },

    selectPoint: (selectedPointId) => set({ selectedPointId, pointSaved: null }),
    setSizeAxis: (sizeAxis) => set({ sizeAxis }),
    setQualityMetric: (qualityMetric) => set({ qualityMetric }),

    async exportSelectedPoint() {
      const { model, sweepPoints, selectedPointId, exportStatus, sweepRunId } = get();
      const point = sweepPoints.find((p) => p.id === selectedPointId);
      if (!model || !point || exportStatus !== 'idle') return;
      const fileName = pointFileName(model.index.fileName, point);
      set({ exportStatus: 'saving', pointSaved: null, notice: null });
      try {
        const picker = savePicker();
        if (picker) {
          const handle = await pickSaveTarget(picker, fileName, point.format);
          if (!handle) return;
          const result = await studioClient().exportFile({ source: 'point', pointId: point.id, runId: sweepRunId ?? undefined }, handle);
          set({ pointSaved: { fileName: handle.name, bytesWritten: result.bytesWritten } });
        } else {
          const result = await studioClient().exportFile({ source: 'point', pointId: point.id, runId: sweepRunId ?? undefined });
          if (!result.blob) throw new Error('The worker returned no file to download.');
          downloadBlob(result.blob, fileName);
          set({ pointSaved: { fileName, bytesWritten: result.bytesWritten } });
        }
      } catch (error) {
        get().showError('export', error);
      } finally {
        set({ exportStatus: 'idle' });
      }
    },
  };
};
