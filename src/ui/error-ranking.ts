// Per-layer relative error of a run, worst first (shared by the chart and the table): the tensors
// the recipe quantized (kept ones have no error to rank).
import type { TensorReport } from '../core/compression-report';

export type MeasuredTensor = TensorReport & { relError: number };

export function worstFirst(tensors: readonly TensorReport[]): MeasuredTensor[] {
  return tensors.filter((t): t is MeasuredTensor => t.relError !== null).sort((a, b) => b.relError - a.relError);
}
