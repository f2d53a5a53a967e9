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
  /** 0…1: calibration windows while calibrating, then source bytes (tensors when bytes are unknown). */
  fraction: number;
  /** "3 / 12 tensors", "calibrating: 5 / 128 windows". */
  counts: string;
  /** Source megabytes (10^6 B) per second, or calibration tokens per second; '' before the first step. */
  rate: string;
  /** Estimated milliseconds left of this stage; null while unknown. */
  msLeft: number | null;
  currentTensor: string;
}

/** Derived numbers for the progress panel (pure, for tests). */
export function progressView(p: CompressProgress): ProgressView {
  const c = p.calibration;
  if (p.stage === 'calibration' && c) {
    return {
      fraction: c.windowsTotal > 0 ? c.windowsDone / c.windowsTotal : 0,
      counts: `calibrating: ${c.windowsDone} / ${c.windowsTotal} windows`,
      rate: c.tokensPerSecond > 0 ? `${Math.round(c.tokensPerSecond)} tokens/s` : '',
      msLeft: c.windowsDone > 0 ? ((c.windowsTotal - c.windowsDone) * c.elapsedMs) / c.windowsDone : null,
      currentTensor: 'running the model on the calibration text',
    };
  }
  if (p.stage === 'budget') {
    return {
      fraction: p.tensorsTotal > 0 ? p.tensorsDone / p.tensorsTotal : 0,
      counts: `sizing: ${p.tensorsDone} / ${p.tensorsTotal} weights`,
      rate: '',
      msLeft: p.tensorsDone > 0 ? ((p.tensorsTotal - p.tensorsDone) * p.elapsedMs) / p.tensorsDone : null,
      currentTensor: p.currentTensor ? `every candidate setting on ${p.currentTensor}, and its KL probe` : '',
    };
  }
  const fraction =
    p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.tensorsTotal > 0 ? p.tensorsDone / p.tensorsTotal : 0;
  const seconds = p.elapsedMs / 1000;
  const mbPerSecond = seconds > 0 ? p.bytesDone / 1e6 / seconds : 0;
  const bytesPerMs = p.elapsedMs > 0 ? p.bytesDone / p.elapsedMs : 0;
  const msLeft = bytesPerMs > 0 ? (p.bytesTotal - p.bytesDone) / bytesPerMs : null;
  return {
    fraction: Math.min(1, Math.max(0, fraction)),
    counts: `${p.tensorsDone} / ${p.tensorsTotal} tensors`,
    rate: mbPerSecond > 0 ? `${mbPerSecond.toFixed(1)} MB/s` : '',
    msLeft,
    currentTensor: p.currentTensor,
  };
}
