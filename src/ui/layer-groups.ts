// Groups tensors by transformer block ("layer 3") for the per-layer views; tensors outside
// the repeated blocks (embeddings, final norm, output head) keep their own layer name.
import { TENSOR_ROLES, emptyRoleTotals, type RoleTotals, type TensorInfo } from '../core/model-index';

const BLOCK = /(?:^|[._/])(?:layers?|blocks?|blk|h)[._/](\d+)(?=[._/]|$)/;

/** Block index of a layer name, or null outside the repeated blocks. */
export function blockIndex(layer: string): number | null {
  const m = BLOCK.exec(layer);
  return m ? Number(m[1]) : null;
}

export interface LayerBytes extends RoleTotals {
  group: string;
  total: number;
}

/** Bytes per block (and per stand-alone layer), split by role, in model order. */
export function bytesPerLayer(tensors: readonly TensorInfo[]): LayerBytes[] {
  const groups = new Map<string, { order: number; totals: RoleTotals }>();
  tensors.forEach((t, i) => {
    const block = blockIndex(t.layer);
    const group = block === null ? shortName(t.layer || t.name) : `layer ${block}`;
    // Embeddings before the blocks, blocks by index, the rest (final norm, head) after.
    const order = block !== null ? 1e6 + block : t.role === 'embedding' ? i : 2e6 + i;
    let g = groups.get(group);
    if (!g) {
      g = { order, totals: emptyRoleTotals() };
      groups.set(group, g);
    }
    g.order = Math.min(g.order, order);
    g.totals[t.role] += t.byteLength;
  });
  return [...groups.entries()]
    .sort((a, b) => a[1].order - b[1].order)
    .map(([group, g]) => ({ group, ...g.totals, total: TENSOR_ROLES.reduce((n, r) => n + g.totals[r], 0) }));
}

/** Drops a leading "model." and the like, for chart labels. */
export function shortName(layer: string): string {
  return layer.replace(/^(model|transformer|decoder)\./, '');
}
