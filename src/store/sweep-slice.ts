// Sweeps: the axes form, the run (start, pause, cancel, resume), the finished points and the
// original's reference, the selected point and its export. Finished points live in the worker's
// IndexedDB too: on every model load the saved sweep is shown again, and a run that a reload
// interrupted (status 'running') resumes by itself with the same request.
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
  clearSweep(): Promise<void>;
  /** Shows the open model's saved sweep; resumes it when a reload interrupted it. */
  restoreSweep(): Promise<void>;
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
} as const satisfies Partial<SweepSlice>;

function withPoint(points: readonly SweepPoint[], point: SweepPoint): SweepPoint[] {
  return [...points.filter((p) => p.id !== point.id), point];
}

/**
 * How many finished points "Run sweep" would replace now: all of them when the evaluation
 * settings (windows, backend, text) differ from the saved sweep's, else none (the grids merge).
 */
export function pointsReplacedByStart(s: StudioState): number {
  if (!s.sweepRequest || s.sweepPoints.length === 0) return 0;
  return sameEvalSettings(s.sweepRequest, evalRequest(s)) ? 0 : s.sweepPoints.length;
}

export const createSweepSlice: StateCreator<StudioState, [], [], SweepSlice> = (set, get, api) => {
  /** Bumped by every run and model change; callbacks of an older run are ignored. */
  let runToken = 0;

  api.subscribe((s, prev) => {
    if (s.modelSerial === prev.modelSerial) return;
    runToken++;
    set({ ...EMPTY_SWEEP, sweepGridIds: [], sweepPoints: [] });
    setSweepProgress(null);
    if (s.model) void get().restoreSweep();
  });

  const isCurrent = (token: number) => token === runToken;

  function applyState(state: SweepState): void {
    set((s) => ({
      sweepRunStatus: state.status,
      sweepRequest: state.request,
      sweepGridIds: state.gridIds,
      sweepPoints: state.points,
      sweepReference: state.reference,
      selectedPointId: state.points.some((p) => p.id === s.selectedPointId) ? s.selectedPointId : null,
    }));
  }

  async function run(request: SweepRequest): Promise<void> {
    const s = get();
    if (!s.model || s.sweepStatus !== 'idle' || s.evalStatus !== 'idle' || s.jobStatus !== 'idle') return;
    const token = ++runToken;
    // Other evaluation settings: the worker starts afresh, so does the chart.
    const fresh = !s.sweepRequest || !sameEvalSettings(s.sweepRequest, request);
    set({
      sweepStatus: 'running',
      sweepRunStatus: 'running',
      sweepRequest: request,
      sweepError: null,
      ...(fresh ? { sweepPoints: [], sweepReference: null, sweepGridIds: [], selectedPointId: null } : {}),
    });
    setSweepProgress(null);
    const callbacks: SweepCallbacks = {
      onPoint: (point) => {
        if (isCurrent(token)) set((st) => ({ sweepPoints: withPoint(st.sweepPoints, point) }));
      },
      onProgress: (progress) => {
        if (isCurrent(token)) setSweepProgress(progress);
      },
      onReference: (reference) => {
        if (isCurrent(token)) set({ sweepReference: reference });
      },
    };
    try {
      const state = await studioClient().runSweep(request, proxy(callbacks));
      if (isCurrent(token)) applyState(state);
    } catch (error) {
      if (isCurrent(token)) set({ sweepError: toSweepError(error), sweepRunStatus: 'paused' });
    } finally {
      if (isCurrent(token)) {
        set({ sweepStatus: 'idle' });
        setSweepProgress(null);
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

    async clearSweep() {
      if (get().sweepStatus !== 'idle' || !get().model) return;
      try {
        await studioClient().clearSweep();
        runToken++;
        set({ ...EMPTY_SWEEP, sweepGridIds: [], sweepPoints: [] });
      } catch (error) {
        set({ sweepError: toSweepError(error) });
      }
    },

    async restoreSweep() {
      const token = runToken;
      let saved: SweepState | null;
      try {
        saved = await studioClient().savedSweep();
      } catch (error) {
        if (isCurrent(token)) set({ sweepError: toSweepError(error) });
        return;
      }
      if (!saved || !isCurrent(token) || get().sweepStatus !== 'idle') return;
      applyState(saved);
      const { axes, windows, executionProvider, text } = saved.request;
      set({
        ...axesForm(axes),
        evalWindows: windows,
        evalBackend: executionProvider,
        ...(text ? { evalTextSource: 'user', evalUserText: text } : { evalTextSource: 'bundled' }),
      });
      if (saved.status === 'running') await run(saved.request);
    },

    selectPoint: (selectedPointId) => set({ selectedPointId, pointSaved: null }),
    setSizeAxis: (sizeAxis) => set({ sizeAxis }),
    setQualityMetric: (qualityMetric) => set({ qualityMetric }),

    async exportSelectedPoint() {
      const { model, sweepPoints, selectedPointId, exportStatus } = get();
      const point = sweepPoints.find((p) => p.id === selectedPointId);
      if (!model || !point || exportStatus !== 'idle') return;
      const fileName = pointFileName(model.index.fileName, point);
      set({ exportStatus: 'saving', pointSaved: null, notice: null });
      try {
        const picker = savePicker();
        if (picker) {
          const handle = await pickSaveTarget(picker, fileName, point.format);
          if (!handle) return;
          const result = await studioClient().exportFile({ source: 'point', pointId: point.id }, handle);
          set({ pointSaved: { fileName: handle.name, bytesWritten: result.bytesWritten } });
        } else {
          const result = await studioClient().exportFile({ source: 'point', pointId: point.id });
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
