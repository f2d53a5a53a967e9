// Compress progress arrives ~10×/s. It lives in its own vanilla store so the progress panel can
// subscribe transiently (writing the DOM directly) and nothing else re-renders per event.
import { createStore } from 'zustand/vanilla';
import type { CompressProgress } from '../core/compression-report';

export interface ProgressState {
  progress: CompressProgress | null;
}

export const progressStore = createStore<ProgressState>()(() => ({ progress: null }));

export function setProgress(progress: CompressProgress | null): void {
  progressStore.setState({ progress });
}

export interface ProgressView {
  /** 0…1 by source bytes (falls back to tensors when bytes are unknown). */
  fraction: number;
  tensorsDone: number;
  tensorsTotal: number;
  /** Source megabytes (10^6 B) per second; 0 before the first tensor. */
  mbPerSecond: number;
  /** Estimated milliseconds left; null while unknown. */
  msLeft: number | null;
  currentTensor: string;
}

/** Derived numbers for the progress panel (pure, for tests). */
export function progressView(p: CompressProgress): ProgressView {
  const fraction =
    p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.tensorsTotal > 0 ? p.tensorsDone / p.tensorsTotal : 0;
  const seconds = p.elapsedMs / 1000;
  const mbPerSecond = seconds > 0 ? p.bytesDone / 1e6 / seconds : 0;
  const bytesPerMs = p.elapsedMs > 0 ? p.bytesDone / p.elapsedMs : 0;
  const msLeft = bytesPerMs > 0 ? (p.bytesTotal - p.bytesDone) / bytesPerMs : null;
  return {
    fraction: Math.min(1, Math.max(0, fraction)),
    tensorsDone: p.tensorsDone,
    tensorsTotal: p.tensorsTotal,
    mbPerSecond,
    msLeft,
    currentTensor: p.currentTensor,
  };
}
