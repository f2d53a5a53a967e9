// Sorting and filtering of the tensor table (pure, so it is testable without React).
import type { TensorInfo } from '../core/model-index';
import { blockIndex } from './layer-groups';

export type TensorColumn = 'layer' | 'name' | 'role' | 'dtype' | 'shape' | 'bytes';
export interface TensorSort {
  column: TensorColumn;
  descending: boolean;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Model order: embeddings, then the blocks by index, then the rest (final norm, head). */
function layerRank(t: TensorInfo): number {
  const block = blockIndex(t.layer);
  if (block !== null) return block;
  return t.role === 'embedding' ? -1 : Number.MAX_SAFE_INTEGER;
}

function compare(a: TensorInfo, b: TensorInfo, column: TensorColumn): number {
  switch (column) {
    case 'layer':
      return layerRank(a) - layerRank(b) || collator.compare(a.layer, b.layer);
    case 'name':
      return collator.compare(a.name, b.name);
    case 'role':
      return collator.compare(a.role, b.role);
    case 'dtype':
      return collator.compare(a.dtype, b.dtype);
    case 'shape':
      return a.numel - b.numel || a.shape.length - b.shape.length;
    case 'bytes':
      return a.byteLength - b.byteLength;
  }
}

/** Tensors whose name, layer, role or dtype contain every word of `query` (case-insensitive). */
export function filterTensors(tensors: readonly TensorInfo[], query: string, role: string): TensorInfo[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return tensors.filter((t) => {
    if (role && t.role !== role) return false;
    if (words.length === 0) return true;
    const text = `${t.layer} ${t.name} ${t.role} ${t.dtype}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

export function sortTensors(tensors: TensorInfo[], sort: TensorSort): TensorInfo[] {
  // Stable sort keeps model order among equal keys.
  const sign = sort.descending ? -1 : 1;
  return tensors.slice().sort((a, b) => sign * compare(a, b, sort.column));
}
