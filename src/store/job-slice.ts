// The quantize form and the run: scheme and tensor selection, the running job, and its report.
// A cancelled or failed run leaves the previous report in place (the worker keeps its result too).
import type { StateCreator } from 'zustand';
import type { QuantBits, RtnScheme } from '../core/quantized-tensor';
import type { QuantizeReport } from '../workers/studio-api';
import { progressCallback } from '../workers/studio-client';
import { studioClient } from './studio-client';
import { setProgress } from './progress-store';
import { toTensorSelection, type SelectionForm, type SelectionMode } from './selection';
import type { StudioState } from './studio-state';

export type BlockChoice = RtnScheme['blockSize'];
export const BITS_CHOICES: readonly QuantBits[] = [8, 4, 3, 2];
export const BLOCK_CHOICES: readonly BlockChoice[] = [16, 32, 64, 128, 256, 'per-channel'];

export interface JobSlice extends SelectionForm {
  bits: QuantBits;
  symmetric: boolean;
  blockSize: BlockChoice;
  jobStatus: 'idle' | 'running' | 'cancelling';
  report: QuantizeReport | null;
  setBits(bits: QuantBits): void;
  setSymmetric(symmetric: boolean): void;
  setBlockSize(blockSize: BlockChoice): void;
  setSelectionMode(mode: SelectionMode): void;
  setInclude(pattern: string): void;
  setExclude(pattern: string): void;
  quantize(): Promise<void>;
  cancelQuantize(): void;
}

export const createJobSlice: StateCreator<StudioState, [], [], JobSlice> = (set, get) => ({
  bits: 4,
  symmetric: false,
  blockSize: 32,
  selectionMode: 'all-matmuls',
  include: '',
  exclude: '',
  jobStatus: 'idle',
  report: null,
  setBits: (bits) => set({ bits }),
  setSymmetric: (symmetric) => set({ symmetric }),
  setBlockSize: (blockSize) => set({ blockSize }),
  setSelectionMode: (selectionMode) => set({ selectionMode }),
  setInclude: (include) => set({ include }),
  setExclude: (exclude) => set({ exclude }),

  async quantize() {
    const s = get();
    if (!s.model || s.jobStatus !== 'idle' || s.loadStatus !== 'idle' || s.exportStatus !== 'idle') return;
    const scheme: RtnScheme = { bits: s.bits, symmetric: s.symmetric, blockSize: s.blockSize };
    const modelSerial = s.modelSerial;
    set({ jobStatus: 'running', notice: null });
    setProgress(null);
    try {
      const report = await studioClient().quantize(
        { scheme, selection: toTensorSelection(s) },
        progressCallback(setProgress),
      );
      if (get().modelSerial === modelSerial) set({ report, lastSaved: null });
    } catch (error) {
      get().showError('quantize', error);
    } finally {
      set({ jobStatus: 'idle' });
      setProgress(null);
    }
  },

  cancelQuantize() {
    if (get().jobStatus !== 'running') return;
    set({ jobStatus: 'cancelling' });
    void studioClient().cancel();
  },
});
