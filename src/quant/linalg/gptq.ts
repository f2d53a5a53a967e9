// GPTQ (Frantar et al. 2023; IST-DASLab gptq.py fasterquant) in float64 with RTN's grid: columns are
// solved in blocks (lazy batch updates) in solve order; each column is quantized with its group's
// scale/zero point (src/quant/rtn.ts groupParams/quantizeValue, float32), err = (w − ŵ)/U_ii,
// W[:, i+1:blockEnd] −= err ⊗ U[i, …] and, after the block, W[:, blockEnd:] −= Err · U[block, blockEnd:].
// Group parameters as upstream: find_params reads W, not the block copy W1, so every group that starts
// in a block takes the block-start weights; per-channel and act-order (static groups) take the original
// W. Codes/params come from the current weight rounded to float32; errors stay float64. The spec for
// src/kernels/linalg/gptq.ts.
import { ShapeError } from '../../core/errors';
import { RTN_BITS } from '../../core/recipe';
import { groupParams, quantizeValue } from '../rtn';
import { DEFAULT_BLOCKSIZE } from './sparsegpt';

export { DEFAULT_BLOCKSIZE };

const fround = Math.fround;

export interface GptqOptions {
  bits: 2 | 3 | 4 | 8;
  /** Elements per scale along the input dimension, or 'per-channel' (one group per row). */
  group: number | 'per-channel';
  symmetric: boolean;
  /** Columns solved per block (lazy batch updates), default 128. */
  blocksize: number;
  /** Act-order: the column order the solve takes (a permutation of 0..cols-1, e.g. by descending Hessian diagonal); absent = natural order. */
  perm?: Uint32Array;
}

export interface GptqResult {
  /** Unpacked codes, rows×cols row-major, ORIGINAL column order. */
  codes: Uint8Array;
  /** rows × nGroups (nGroups = ceil(cols / groupSize); per-channel: 1), float32 values. */
  scales: Float32Array;
  /** rows × nGroups integer zero points (symmetric: 2^(bits−1)). */
  zeroPoints: Uint8Array;
  /** Ŵ = (code − zp)·scale, rows×cols row-major, original order. */
  values: Float32Array;
}

/** How a solve takes its group parameters (shared with the GPU wrapper). */
export interface GptqGrouping {
  /** Columns per group (cols for per-channel). */
  groupSize: number;
  nGroups: number;
  /** True: every group's params come from the original W before the solve (per-channel, act-order). */
  staticGroups: boolean;
  /** Solve order: original column of each solve position (identity without perm). */
  order: Uint32Array;
}

/** Validates shapes and options; returns the grouping (shared with the GPU wrapper). */
export function checkGptq(w: ArrayLike<number>, rows: number, cols: number, u: ArrayLike<number>, opts: GptqOptions): GptqGrouping {
  for (const [name, v] of [['rows', rows], ['cols', cols], ['blocksize', opts.blocksize]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ShapeError(`${name} must be an integer ≥ 1, got ${v}`);
  }
  if (!(RTN_BITS as readonly number[]).includes(opts.bits)) throw new ShapeError(`GPTQ bits must be ${RTN_BITS.join(', ')}, got ${opts.bits}`);
  if (opts.group !== 'per-channel' && (!Number.isSafeInteger(opts.group) || opts.group < 1)) {
    throw new ShapeError(`GPTQ group must be an integer ≥ 1 or 'per-channel', got ${String(opts.group)}`);
  }
  if (w.length !== rows * cols) throw new ShapeError(`W must hold rows × cols = ${rows} × ${cols} = ${rows * cols} values, got ${w.length}`);
  if (u.length !== cols * cols) throw new ShapeError(`U must hold cols × cols = ${cols * cols} values, got ${u.length}`);
  for (let j = 0; j < cols; j++) {
    const d = u[j * cols + j];
    if (!(d > 0) || !Number.isFinite(d)) throw new ShapeError(`U must have a positive finite diagonal, got U[${j}][${j}] = ${d}`);
  }
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) throw new ShapeError(`W has a non-finite value (${w[i]}) at [${Math.floor(i / cols)}][${i % cols}]`);
  }
  let order: Uint32Array;
  if (opts.perm) {
    if (opts.perm.length !== cols) throw new ShapeError(`perm must hold cols = ${cols} column indices, got ${opts.perm.length}`);
    const seen = new Uint8Array(cols);
    for (let p = 0; p < cols; p++) {
      const c = opts.perm[p];
      if (c >= cols || seen[c]) throw new ShapeError(`perm must be a permutation of 0…${cols - 1}, but perm[${p}] = ${c} is ${c >= cols ? 'out of range' : 'repeated'}`);
      seen[c] = 1;
    }
    order = Uint32Array.from(opts.perm);
  } else {
    order = Uint32Array.from({ length: cols }, (_, i) => i);
  }
  const groupSize = opts.group === 'per-channel' ? cols : opts.group;
  return { groupSize, nGroups: Math.ceil(cols / groupSize), staticGroups: opts.group === 'per-channel' || opts.perm !== undefined, order };
}

/**
 * Act-order: columns by descending diag(H) (ties: lower column first), counting a dead (0) entry as
 * 1 as gptq.py sorts after H[dead, dead] = 1. Permute H with permuteSymmetric before factoring it.
 */
export function actOrderPerm(h: ArrayLike<number>, n: number): Uint32Array {
  const d = (i: number) => (h[i * n + i] === 0 ? 1 : h[i * n + i]);
  return Uint32Array.from(Array.from({ length: n }, (_, i) => i).sort((a, b) => d(b) - d(a) || a - b));
}

/** H[perm][:, perm] (float64): the Hessian in solve order. */
export function permuteSymmetric(h: ArrayLike<number>, n: number, perm: ArrayLike<number>): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = h[perm[i] * n + perm[j]];
  return out;
}

/**
 * Params of group g of row r over original columns [g·size, min(cols, (g+1)·size)), reading the
 * value of original column c through `at` (as quantizeRtnRef: min, max, first largest |w|).
 */
function fillGroupParams(
  at: (r: number, c: number) => number,
  rows: number,
  cols: number,
  grouping: GptqGrouping,
  groupFirst: number,
  groupEnd: number,
  opts: GptqOptions,
  out: { scales: Float32Array; zeroPoints: Uint8Array; reciprocals: Float32Array },
): void {
  const { groupSize, nGroups } = grouping;
  for (let r = 0; r < rows; r++) {
    for (let g = groupFirst; g < groupEnd; g++) {
      let mn = Infinity;
      let mx = -Infinity;
      let absMaxSigned = 0;
      for (let c = g * groupSize; c < Math.min(cols, (g + 1) * groupSize); c++) {
        const v = at(r, c);
        if (v < mn) mn = v;
        if (v > mx) mx = v;
        if (Math.abs(v) > Math.abs(absMaxSigned)) absMaxSigned = v;
      }
      const p = groupParams(mn, mx, absMaxSigned, opts.bits, opts.symmetric);
      out.scales[r * nGroups + g] = p.scale;
      out.zeroPoints[r * nGroups + g] = p.zeroPoint;
      out.reciprocals[r * nGroups + g] = p.reciprocal;
    }
  }
}

/** `w` row-major W[rows][cols] (dead columns already zeroed by the caller); `u` the upper Cholesky factor of the damped H⁻¹ as dampedInverseCholeskyRef returns it — in the PERMUTED order when opts.perm is given (the caller permutes H first). */
export function gptqRef(w: Float32Array, rows: number, cols: number, u: ArrayLike<number>, opts: GptqOptions): GptqResult {
  const grouping = checkGptq(w, rows, cols, u, opts);
  const { groupSize, nGroups, staticGroups, order } = grouping;
  const { bits, symmetric, blocksize } = opts;
  // W in solve order, float64.
  const W = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let p = 0; p < cols; p++) W[r * cols + p] = w[r * cols + order[p]];
  const qp = { scales: new Float32Array(rows * nGroups), zeroPoints: new Uint8Array(rows * nGroups), reciprocals: new Float32Array(rows * nGroups) };
  if (staticGroups) fillGroupParams((r, c) => w[r * cols + c], rows, cols, grouping, 0, nGroups, opts, qp);
  const codes = new Uint8Array(rows * cols);
  const values = new Float32Array(rows * cols);
  const uAt = (i: number, j: number) => u[i * cols + j];
  for (let i1 = 0; i1 < cols; i1 += blocksize) {
    const i2 = Math.min(i1 + blocksize, cols);
    const count = i2 - i1;
    // Groups starting in [i1, i2) from the block-start W (natural order: position = column).
    if (!staticGroups) {
      fillGroupParams((r, c) => fround(W[r * cols + c]), rows, cols, grouping, Math.ceil(i1 / groupSize), Math.ceil(i2 / groupSize), opts, qp);
    }
    const err = new Float64Array(rows * count);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      for (let i = 0; i < count; i++) {
        const p = i1 + i;
        const c = order[p];
        const g = r * nGroups + Math.floor(c / groupSize);
        const params = { zeroPoint: qp.zeroPoints[g], reciprocal: qp.reciprocals[g] };
        const q = quantizeValue(fround(W[row + p]), params, bits, symmetric);
        const deq = fround((q - params.zeroPoint) * qp.scales[g]);
        const e = (W[row + p] - deq) / uAt(p, p);
        err[r * count + i] = e;
        if (e !== 0) for (let j = p + 1; j < i2; j++) W[row + j] -= e * uAt(p, j);
        codes[row + c] = q;
        values[row + c] = deq;
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
  return { codes, scales: qp.scales, zeroPoints: qp.zeroPoints, values };
}
