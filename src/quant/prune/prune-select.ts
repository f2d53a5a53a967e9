// Which weights to prune: the CPU reference (the spec) for shaders/prune/*.wgsl. Scores in float32:
// magnitude |W_ij|, or Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for LLMs")
// |W_ij|·‖X_j‖₂ with ‖X_j‖₂ = sqrt(Σ_tokens x_j²). Patterns: unstructured (exactly ⌊sparsity·count⌋
// smallest scores of the tensor or of each row; ties → lower row-major index first) or N:M (keep n of
// every m consecutive inputs of a row; ties → lower column pruned first). W is logical [rows = out][cols = in].
import { ShapeError } from '../../core/errors';

export type PrunePattern =
  | { kind: 'unstructured'; sparsity: number; scope: 'tensor' | 'row' }
  | { kind: 'n:m'; n: number; m: number };

export type PruneScore = 'magnitude' | 'wanda';

export interface PruneOptions {
  score: PruneScore;
  /** Wanda only (ignored for magnitude): Σ over calibration tokens of x_j², one per input column, taken as float32. */
  sumSquares?: ArrayLike<number>;
  pattern: PrunePattern;
}

export interface PruneResult {
  /** Pruned W, row-major [rows][cols] float32, +0 at every pruned place. */
  values: Float32Array<ArrayBuffer>;
  /** Elements equal to zero in `values`: the pruned ones plus weights that were already zero. */
  zeros: number;
}

/** Largest N:M group (a group's choices fit one u32 in the kernels). */
export const MAX_NM_GROUP = 32;
/**
 * Smallest normal float32. Wanda scores (and the weights and norms they multiply) below it count as
 * 0, because a GPU may flush subnormals to zero; magnitude scores are exact bit copies and keep them.
 */
export const SMALLEST_NORMAL_F32 = 2 ** -126;

const fround = Math.fround;

/** Throws ShapeError unless `pattern` can prune a W with `cols` columns. */
export function checkPrunePattern(pattern: PrunePattern, cols: number): void {
  if (pattern.kind === 'unstructured') {
    const { sparsity, scope } = pattern;
    if (typeof sparsity !== 'number' || !(sparsity >= 0 && sparsity < 1)) {
      throw new ShapeError(`pruning sparsity must be in [0, 1), got ${sparsity}`, { sparsity: String(sparsity) });
    }
    if (scope !== 'tensor' && scope !== 'row') throw new ShapeError(`pruning scope must be 'tensor' or 'row', got ${String(scope)}`);
    return;
  }
  if (pattern.kind !== 'n:m') throw new ShapeError(`pruning pattern must be 'unstructured' or 'n:m', got ${String((pattern as { kind: unknown }).kind)}`);
  const { n, m } = pattern;
  if (!Number.isInteger(m) || m < 1 || m > MAX_NM_GROUP) {
    throw new ShapeError(`N:M group size m must be an integer in [1, ${MAX_NM_GROUP}], got ${m}`, { m });
  }
  if (!Number.isInteger(n) || n < 1 || n > m) throw new ShapeError(`N:M kept count n must be an integer in [1, m = ${m}], got ${n}`, { n, m });
  if (cols % m !== 0) {
    throw new ShapeError(`N:M pruning needs m to divide cols: cols = ${cols} is not a multiple of m = ${m}`, { cols, m });
  }
}

/** Elements pruned per scope: ⌊sparsity·count⌋ of the tensor or of each row; m − n of each N:M group. */
export function prunedPerScope(pattern: PrunePattern, rows: number, cols: number): number {
  if (pattern.kind === 'n:m') return pattern.m - pattern.n;
  return Math.floor(pattern.sparsity * (pattern.scope === 'tensor' ? rows * cols : cols));
}

/** The error both the reference and the GPU raise for a NaN or ±Inf weight at W[row][col]. */
export function nonFiniteWeightError(value: number, row: number, col: number): ShapeError {
  return new ShapeError(`weight W[${row}][${col}] is not finite (${value}); cannot prune`, { row, col });
}

function checkShape(values: ArrayLike<number>, rows: number, cols: number): void {
  if (!Number.isSafeInteger(rows) || rows < 1 || !Number.isSafeInteger(cols) || cols < 1) {
    throw new ShapeError(`pruning needs rows, cols ≥ 1, got ${rows}×${cols}`, { rows, cols });
  }
  if (values.length !== rows * cols) {
    throw new ShapeError(`expected ${rows}×${cols} = ${rows * cols} values, got ${values.length}`, { rows, cols });
  }
}

function checkFinite(values: Float32Array, cols: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw nonFiniteWeightError(values[i], Math.floor(i / cols), i % cols);
  }
}

/** Magnitude scores |W_ij| of a row-major W (−0 becomes +0). */
export function magnitudeScoresRef(values: Float32Array, rows: number, cols: number): Float32Array<ArrayBuffer> {
  checkShape(values, rows, cols);
  checkFinite(values, cols);
  return Float32Array.from(values, Math.abs);
}

/** ‖X_j‖₂ = sqrt(float32(sumSquares[j])) in float32, subnormal results as 0; the GPU takes these. */
export function wandaNormsRef(sumSquares: ArrayLike<number> | undefined, cols: number): Float32Array<ArrayBuffer> {
  if (!sumSquares) throw new ShapeError('Wanda scores need sumSquares (Σ x_j² per input column)');
  if (sumSquares.length !== cols) {
    throw new ShapeError(`Wanda sumSquares must have one entry per input column (${cols}), got ${sumSquares.length}`, { cols });
  }
  const norms = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const ss = fround(sumSquares[j]);
    if (!(ss >= 0 && Number.isFinite(ss))) {
      throw new ShapeError(`Wanda sumSquares[${j}] must be finite and ≥ 0, got ${sumSquares[j]}`, { column: j });
    }
    const norm = fround(Math.sqrt(ss));
    norms[j] = norm < SMALLEST_NORMAL_F32 ? 0 : norm;
  }
  return norms;
}

/** Wanda scores |W_ij|·‖X_j‖₂: one float32 product; factors and products below 2^-126 count as 0. */
export function wandaScoresRef(values: Float32Array, rows: number, cols: number, sumSquares: ArrayLike<number>): Float32Array<ArrayBuffer> {
  checkShape(values, rows, cols);
  checkFinite(values, cols);
  const norms = wandaNormsRef(sumSquares, cols);
  const scores = new Float32Array(rows * cols);
  for (let i = 0; i < scores.length; i++) {
    const a = Math.abs(values[i]);
    // Two float32 factors multiply exactly in float64; fround rounds once, as the GPU's f32 multiply.
    const s = a < SMALLEST_NORMAL_F32 ? 0 : fround(a * norms[i % cols]);
    scores[i] = s < SMALLEST_NORMAL_F32 ? 0 : s;
  }
  return scores;
}

/** Scores of `opts.score` for a row-major W. */
export function pruneScoresRef(values: Float32Array, rows: number, cols: number, opts: Pick<PruneOptions, 'score' | 'sumSquares'>): Float32Array<ArrayBuffer> {
  if (opts.score === 'magnitude') return magnitudeScoresRef(values, rows, cols);
  if (opts.score === 'wanda') return wandaScoresRef(values, rows, cols, opts.sumSquares as ArrayLike<number>);
  throw new ShapeError(`pruning score must be 'magnitude' or 'wanda', got ${String(opts.score)}`);
}

/**
 * Mask of the pruned elements (1 = pruned) for non-negative `scores` of a row-major W: in every
 * scope the elements ordered by (score, index) are pruned from the smallest on.
 */
export function pruneMaskRef(scores: Float32Array, rows: number, cols: number, pattern: PrunePattern): Uint8Array<ArrayBuffer> {
  checkShape(scores, rows, cols);
  checkPrunePattern(pattern, cols);
  const mask = new Uint8Array(rows * cols);
  const k = prunedPerScope(pattern, rows, cols);
  if (k === 0) return mask;
  const scopeLength = pattern.kind === 'n:m' ? pattern.m : pattern.scope === 'tensor' ? rows * cols : cols;
  const order = new Uint32Array(scopeLength);
  for (let start = 0; start < rows * cols; start += scopeLength) {
    for (let i = 0; i < scopeLength; i++) order[i] = i;
    // Ties keep index order; scores are never NaN, so `<` is a total order.
    order.sort((a, b) => {
      const sa = scores[start + a];
      const sb = scores[start + b];
      return sa < sb ? -1 : sa > sb ? 1 : a - b;
    });
    for (let i = 0; i < k; i++) mask[start + order[i]] = 1;
  }
  return mask;
}

/** W with +0 at every masked place, and its count of zeros (pruned or already zero). */
export function applyMaskRef(values: Float32Array, mask: Uint8Array): PruneResult {
  if (mask.length !== values.length) throw new ShapeError(`mask has ${mask.length} entries for ${values.length} values`);
  const out = new Float32Array(values.length);
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = mask[i] ? 0 : values[i];
    out[i] = v;
    if (v === 0) zeros++;
  }
  return { values: out, zeros };
}

/** Mask bits packed LSB-first into u32 words (bit i % 32 of word ⌊i / 32⌋), as the GPU returns them. */
export function packMaskRef(mask: Uint8Array): Uint32Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(mask.length / 32));
  for (let i = 0; i < mask.length; i++) if (mask[i]) words[i >>> 5] |= 1 << (i & 31);
  return words;
}

/** Scores, mask and pruned W of a row-major W in one call. */
export function pruneRef(
  input: { values: Float32Array; rows: number; cols: number },
  opts: PruneOptions,
): PruneResult & { mask: Uint8Array<ArrayBuffer> } {
  const { values, rows, cols } = input;
  checkShape(values, rows, cols);
  checkPrunePattern(opts.pattern, cols);
  const scores = pruneScoresRef(values, rows, cols, opts);
  const mask = pruneMaskRef(scores, rows, cols, opts.pattern);
  return { ...applyMaskRef(values, mask), mask };
}
