// Which GPU the worker has (asked once the page opens, and again after each job, so a lost and
// re-acquired device shows): the header's badge reads it.
import type { StateCreator } from 'zustand';
import type { GpuStatus } from '../core/gpu-adapter';
import { studioClient } from './studio-client';
import type { StudioState } from './studio-state';

export interface GpuSlice {
  /** null until the worker answered. */
  gpuStatus: GpuStatus | null;
  refreshGpuStatus(): Promise<void>;
}

export const createGpuSlice: StateCreator<StudioState, [], [], GpuSlice> = (set) => ({
  gpuStatus: null,
  async refreshGpuStatus() {
    try {
      set({ gpuStatus: await studioClient().gpuStatus() });
    } catch (e) {
      set({ gpuStatus: { available: false, reason: e instanceof Error ? e.message : String(e) } });
    }
  },
});
