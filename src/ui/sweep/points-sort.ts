// Sorting of the sweep table: one key per column, numbers before text, stable on ties.
import type { SweepPoint } from '../../core/sweep';

export type PointSortKey = 'bits' | 'block' | 'sym' | 'selectionLabel' | 'bytes' | 'bitsPerWeight' | 'ppl' | 'kl' | 'quantizeMs' | 'evalMs';

function key(p: SweepPoint, k: PointSortKey): number | string {
  if (k === 'block') return p.block === 'per-channel' ? Number.MAX_SAFE_INTEGER : p.block;
  if (k === 'sym') return p.sym ? 1 : 0;
  if (k === 'kl') return p.kl?.mean ?? Number.MAX_VALUE;
  return p[k];
}

export function sortPoints<T extends SweepPoint>(points: readonly T[], k: PointSortKey, descending: boolean): T[] {
  const dir = descending ? -1 : 1;
  return points
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const x = key(a.p, k);
      const y = key(b.p, k);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return c * dir || a.i - b.i;
    })
    .map((e) => e.p);
}
