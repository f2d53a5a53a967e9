// SparseGPT (Frantar & Alistarh 2023; IST-DASLab sparsegpt.py fasterprune) in float64: prune W [rows][cols] with U (cholesky.ts) per block of
// columns. Masks as upstream: unstructured ranks w²/U_jj² over the whole block, all rows together, at its start, and prunes every score
// ≤ sorted[floor(rows·count·sparsity)] (so index + 1 per block, not per row); N:M prunes each row's m − n smallest current w²/U_jj²
// when the sweep reaches a group (ties: lower column). Then err = (w − q)/U_jj, W[:, j:] −= err ⊗ U[j, j:], and after the block
// W[:, end:] −= Err · U[block, end:]. Callers zero the dead columns first. The spec for kernels/linalg/sparsegpt.ts.
import { ShapeError } from '../../core/errors';

export type SparsityPattern = { kind: 'unstructured'; sparsity: number } | { kind: 'n:m'; n: number; m: number };

export const DEFAULT_BLOCKSIZE = 128;
/** Largest m of an N:M pattern (the GPU keeps a group's mask in one u32). */
export const MAX_GROUP_M = 32;

export interface SparseGptResult {
  /** Pruned and updated W [rows][cols]; exactly 0 at pruned places. */
  values: Float32Array;
  /** Number of pruned weights. */
  zeros: number;
  /** 1 where pruned, [rows][cols]. */
  mask: Uint8Array;
}

/** Validates the shapes and the pattern (shared with the GPU wrapper). */
export function checkSparseGpt(w: ArrayLike<number>, rows: number, cols: number, u: ArrayLike<number>, pattern: SparsityPattern, blocksize: number): void {
  for (const [name, v] of [['rows', rows], ['cols', cols], ['blocksize', blocksize]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ShapeError(`${name} must be an integer ≥ 1, got ${v}`);
  }
  if (w.length !== rows * cols) throw new ShapeError(`W must hold rows × cols = ${rows} × ${cols} = ${rows * cols} values, got ${w.length}`);
  if (u.length !== cols * cols) throw new ShapeError(`U must hold cols × cols = ${cols * cols} values, got ${u.length}`);
  if (pattern.kind === 'unstructured') {
    if (!(pattern.sparsity >= 0 && pattern.sparsity < 1)) throw new ShapeError(`unstructured sparsity must be in [0, 1), got ${pattern.sparsity}`);
  } else if (pattern.kind === 'n:m') {
    const { n, m } = pattern;
    if (!Number.isSafeInteger(m) || m < 2 || m > MAX_GROUP_M) throw new ShapeError(`N:M needs an integer m in [2, ${MAX_GROUP_M}], got ${m}`);
    if (!Number.isSafeInteger(n) || n < 1 || n >= m) throw new ShapeError(`N:M needs an integer n (kept per group) in [1, m), got ${n}:${m}`);
    if (cols % m !== 0) throw new ShapeError(`N:M ${n}:${m} needs cols divisible by ${m}, got ${cols}`);
    if (blocksize % m !== 0) throw new ShapeError(`N:M ${n}:${m} needs a blocksize divisible by ${m}, got ${blocksize}`);
  } else {
    throw new ShapeError(`unknown sparsity pattern ${JSON.stringify(pattern)}`);
  }
  for (let j = 0; j < cols; j++) {
    const d = u[j * cols + j];
    if (!(d > 0) || !Number.isFinite(d)) throw new ShapeError(`U must have a positive finite diagonal, got U[${j}][${j}] = ${d}`);
  }
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new ShapeError(`W has a non-finite value (${w[i]}) at [${Math.floor(i / cols)}][${i % cols}]`);
  }
}

/** floor(numel · sparsity): the sorted index of the block's threshold, as Python's int(). */
export function thresholdRank(numel: number, sparsity: number): number {
  const k = Math.floor(numel * sparsity);
  if (k >= numel) throw new ShapeError(`sparsity ${sparsity} selects index ${k} of a block of ${numel} scores`);
  return k;
}

/** Zeroes the given columns of W [rows][cols] in place (the dead columns of cholesky.ts). */
export function zeroColumns(w: Float32Array, rows: number, cols: number, columns: readonly number[]): void {
  for (const c of columns) for (let r = 0; r < rows; r++) w[r * cols + c] = 0;
}

/**
 * Indices (within `scores`) of the `prune` smallest scores; ties go to the lower index. Shared rule
 * of the N:M selection.
 */
export function smallestInGroup(scores: ArrayLike<number>, prune: number): number[] {
  const order = Array.from({ length: scores.length }, (_, i) => i);
  order.sort((a, b) => scores[a] - scores[b] || a - b);
  return order.slice(0, prune);
}

/** SparseGPT pruning of W with U (see the module header). */
export function sparseGptRef(
  w: Float32Array,
  rows: number,
  cols: number,
  u: Float64Array | Float32Array,
  pattern: SparsityPattern,
  blocksize = DEFAULT_BLOCKSIZE,
): SparseGptResult {
  checkSparseGpt(w, rows, cols, u, pattern, blocksize);
  const W = Float64Array.from(w);
  const mask = new Uint8Array(rows * cols);
  const uAt = (i: number, j: number) => u[i * cols + j];
  let zeros = 0;
  for (let i1 = 0; i1 < cols; i1 += blocksize) {
    const i2 = Math.min(i1 + blocksize, cols);
    const count = i2 - i1;
    const err = new Float64Array(rows * count);
    if (pattern.kind === 'unstructured') {
      const scores = new Float64Array(rows * count);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < count; i++) scores[r * count + i] = W[r * cols + i1 + i] ** 2 / uAt(i1 + i, i1 + i) ** 2;
      }
      const thresh = Float64Array.from(scores).sort()[thresholdRank(rows * count, pattern.sparsity)];
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < count; i++) if (scores[r * count + i] <= thresh) mask[r * cols + i1 + i] = 1;
      }
    }
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      for (let i = 0; i < count; i++) {
        const c = i1 + i;
        if (pattern.kind === 'n:m' && i % pattern.m === 0) {
          const scores = Array.from({ length: pattern.m }, (_, t) => W[row + c + t] ** 2 / uAt(c + t, c + t) ** 2);
          for (const t of smallestInGroup(scores, pattern.m - pattern.n)) mask[row + c + t] = 1;
        }
        const x = W[row + c];
        const q = mask[row + c] ? 0 : x;
        const e = (x - q) / uAt(c, c);
        err[r * count + i] = e;
        if (e !== 0) for (let j = i + 1; j < count; j++) W[row + i1 + j] -= e * uAt(c, i1 + j);
        W[row + c] = q;
        zeros += mask[row + c];
      }
    }
    // Lazy batch update of the columns after the block.
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < count; i++) {
        const e = err[r * count + i];
        if (e === 0) continue;
        for (let j = i2; j < cols; j++) W[r * cols + j] -= e * uAt(i1 + i, j);
      }
    }
  }
  return { values: Float32Array.from(W), zeros, mask };
}
