// High-rate progress of evaluations and sweeps (one event per evaluated window). It lives in its
// own vanilla store so the panels subscribe transiently and nothing re-renders per event.
import { createStore } from 'zustand/vanilla';
import type { EvalProgress } from '../core/evaluation';
import type { SweepProgress } from '../core/sweep';

export interface SweepProgressState {
  evalProgress: EvalProgress | null;
  sweepProgress: SweepProgress | null;
}

export const sweepProgressStore = createStore<SweepProgressState>()(() => ({ evalProgress: null, sweepProgress: null }));

export function setEvalProgress(evalProgress: EvalProgress | null): void {
  sweepProgressStore.setState({ evalProgress });
}

export function setSweepProgress(sweepProgress: SweepProgress | null): void {
  sweepProgressStore.setState({ sweepProgress });
}

/** One line for a person: "windows 5 / 16 · 2,340 tok/s". */
export function windowsLine(p: { windowsDone?: number; windowsTotal?: number; tokensPerSecond?: number }): string {
  if (p.windowsDone === undefined || !p.windowsTotal) return '';
  const speed = p.tokensPerSecond ? ` · ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s` : '';
  return `windows ${p.windowsDone} / ${p.windowsTotal}${speed}`;
}

/** Sweep progress in words: which point, which phase. */
export function sweepProgressLine(p: SweepProgress): string {
  if (p.phase === 'reference') return `Original model: ${windowsLine(p) || 'starting…'}`;
  const which = `Point ${p.pointIndex + 1} / ${p.pointsTotal} (${p.pointId.replace(/^rtn:/, '')})`;
  if (p.phase === 'quantize') return `${which}: compressing`;
  if (p.phase === 'calibrate') return `${which}: calibrating, ${windowsLine(p) || 'starting…'}`;
  return `${which}: ${windowsLine(p) || 'evaluating'}`;
}
