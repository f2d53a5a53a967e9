// Per-layer relative error of a run, worst first (shared by the chart and the table).
import type { TensorReport } from '../workers/studio-api';

export function worstFirst(tensors: readonly TensorReport[]): TensorReport[] {
  return tensors.slice().sort((a, b) => b.relError - a.relError);
}
