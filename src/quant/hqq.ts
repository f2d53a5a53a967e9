// HQQ (Badri & Shaji 2023, "Half-Quadratic Quantization of Large Machine Learning Models"; the
// mobiusml/hqq reference, optimize_weights_proximal_legacy): the CPU reference (the spec) for
// shaders/quant/hqq.wgsl. Calibration-free. Per group of `groupSize` inputs, the asymmetric
// min/max grid in HQQ's form — inverse scale 1/s = (2^b − 1)/(max − min) (1 when the range is
// ≤ 1e-4, at most 2·10⁴), zero z = −min/s — then z alone is optimised: the half-quadratic
// splitting of ‖W − Ŵ‖_p^p (p < 1) alternates
//   q = clamp(round(w/s + z)),  e = shrink_p(w − (q − z)·s, β),  z = mean(q − (w − e)/s),  β ← κβ,
// where shrink_p(x, β) = sign(x)·max(0, |x| − |x|^(p−1)/β) is the lp proximal step.
// Defaults are the reference's: p 0.7, β 10, κ 1.01, 20 iterations, torch.round (half to even).
// Two choices of ours, both stated in the README: the early stop is per group (the reference stops
// the whole tensor on its mean |W − Ŵ|), keeping each group's best evaluated z, so no group ends
// worse than its min/max start; and Ŵ is (q − z)·s with s = 1/(1/s) correctly rounded, exactly
// what MatMulNBits computes from the exported scale, not the reference's (q − z)/(1/s).
// Float32 throughout, each operation rounded once (Math.fround), in the order the kernel uses, so
// the kernel equals this up to |x|^(p−1): WGSL's pow is not correctly rounded, and a zero point a
// few ulps off may move a rare code at a rounding tie (the GPU test bounds both).
import type { IntGroupTensor } from '../core/compressed-tensor';
import { ShapeError } from '../core/errors';
import type { HqqZeroPoint, RtnBits, RtnGroupSize } from '../core/recipe';
import { relativeError } from './metrics';
import { groupSizeOf, intGroupTensor } from './rtn';

const fround = Math.fround;

export interface HqqOptions {
  bits: RtnBits;
  group: RtnGroupSize;
  zeroPoint: HqqZeroPoint;
  iterations: number;
  lpNorm: number;
  beta: number;
  kappa: number;
}

/** Ranges at or below this get inverse scale 1 (the reference's guard against tiny denominators). */
export const HQQ_MIN_RANGE = Math.fround(1e-4);
/** The reference clamps the inverse scale here (half-precision safety, kept for identical grids). */
export const HQQ_MAX_INV_SCALE = 2e4;

/** torch.round and WGSL round(): to the nearest integer, ties to even. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** The lp proximal step, f32: sign(d)·max(0, |d| − |d|^(p−1)/β) (0 at d = 0, where |d|^(p−1) is infinite). */
export function shrinkLp(d: number, beta: number, lpNorm: number): number {
  const a = Math.abs(d);
  if (a === 0) return 0;
  const cut = fround(a - fround(fround(Math.pow(a, fround(lpNorm - 1))) / beta));
  return cut > 0 ? (d < 0 ? -cut : cut) : 0;
}

/** One group's result: inverse scale, scale, the optimised zero and how many iterations ran. */
export interface HqqGroup {
  invScale: number;
  scale: number;
  zero: number;
  iterations: number;
}

/**
 * One half-quadratic step on w[start, end) at zero point `zero`: Σ|w − ŵ| there, and the next
 * zero mean(q − (w − e)/s) with e the shrunk residual.
 */
export function hqqStep(w: Float32Array, start: number, end: number, grid: { invScale: number; scale: number; zero: number }, beta: number, opts: Pick<HqqOptions, 'bits' | 'lpNorm'>): { err: number; next: number } {
  const { invScale, scale, zero } = grid;
  let err = 0;
  let acc = 0;
  for (let c = start; c < end; c++) {
    const v = w[c];
    const q = hqqCode(v, invScale, zero, opts.bits);
    const d = fround(v - fround(fround(q - zero) * scale));
    err = fround(err + Math.abs(d));
    const e = shrinkLp(d, beta, opts.lpNorm);
    acc = fround(acc + fround(q - fround(fround(v - e) * invScale)));
  }
  return { err, next: fround(acc / (end - start)) };
}

/** The min/max start and the proximal iterations for w[start, end) (a group of one row). */
export function hqqGroupRef(w: Float32Array, start: number, end: number, opts: HqqOptions): HqqGroup {
  const maxq = (1 << opts.bits) - 1;
  let mn = Infinity;
  let mx = -Infinity;
  for (let c = start; c < end; c++) {
    if (w[c] < mn) mn = w[c];
    if (w[c] > mx) mx = w[c];
  }
  const range = fround(mx - mn);
  const invScale = range <= HQQ_MIN_RANGE ? 1 : Math.min(fround(maxq / range), HQQ_MAX_INV_SCALE);
  const scale = fround(1 / invScale);
  let zero = fround(-mn * invScale);
  let best = Infinity;
  let bestZero = zero;
  let beta = fround(opts.beta);
  let ran = 0;
  for (let it = 0; it < opts.iterations; it++) {
    const { err, next } = hqqStep(w, start, end, { invScale, scale, zero }, beta, opts);
    if (!(err < best)) break;
    best = err;
    bestZero = zero;
    ran = it + 1;
    zero = next;
    beta = fround(beta * fround(opts.kappa));
  }
  return { invScale, scale, zero: bestZero, iterations: ran };
}

/** The code of v on a group's grid. */
export function hqqCode(v: number, invScale: number, zero: number, bits: number): number {
  return Math.min((1 << bits) - 1, Math.max(0, roundHalfEven(fround(fround(v * invScale) + zero))));
}

export interface HqqRefResult {
  /** Codes [rows][cols], one byte each. */
  codes: Uint8Array;
  scales: Float32Array;
  /** The zero points, integers in the grid's range when `zeroPoint` is 'integer'. */
  zeros: Float32Array;
  /** Ŵ [rows][cols]. */
  values: Float32Array;
}

/** HQQ on W [rows][cols] (row-major float32). */
export function hqqRef(w: Float32Array, rows: number, cols: number, opts: HqqOptions): HqqRefResult {
  for (let i = 0; i < w.length; i++) {
    if (!Number.isFinite(w[i])) {
      throw new ShapeError(`weight has a non-finite value (${w[i]}) at row ${Math.floor(i / cols)}, column ${i % cols}; cannot quantize`, { element: i });
    }
  }
  const groupSize = groupSizeOf(opts, cols);
  const groups = Math.ceil(cols / groupSize);
  const maxq = (1 << opts.bits) - 1;
  const codes = new Uint8Array(rows * cols);
  const scales = new Float32Array(rows * groups);
  const zeros = new Float32Array(rows * groups);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const row = w.subarray(r * cols, (r + 1) * cols);
    for (let g = 0; g < groups; g++) {
      const start = g * groupSize;
      const end = Math.min(cols, start + groupSize);
      const p = hqqGroupRef(row, start, end, opts);
      const zero = opts.zeroPoint === 'integer' ? Math.min(maxq, Math.max(0, roundHalfEven(p.zero))) : p.zero;
      scales[r * groups + g] = p.scale;
      zeros[r * groups + g] = zero;
      for (let c = start; c < end; c++) {
        const q = hqqCode(row[c], p.invScale, zero, opts.bits);
        codes[r * cols + c] = q;
        values[r * cols + c] = fround(fround(q - zero) * p.scale);
      }
    }
  }
  return { codes, scales, zeros, values };
}

/** The IntGroupTensor of an HQQ result (float zero points unless `zeroPoint` is 'integer'). */
export function hqqTensor(r: Pick<HqqRefResult, 'codes' | 'scales' | 'zeros'>, rows: number, cols: number, opts: HqqOptions, original: Float32Array, values: Float32Array): IntGroupTensor {
  const maxq = (1 << opts.bits) - 1;
  const rounded = Uint8Array.from(r.zeros, (z) => Math.min(maxq, Math.max(0, roundHalfEven(z))));
  const t = intGroupTensor(r.codes, r.scales, rounded, rows, cols, { bits: opts.bits, group: opts.group, symmetric: false }, relativeError(original, values));
  return opts.zeroPoint === 'float' ? { ...t, floatZeroPoints: true, zeroPointValues: r.zeros } : t;
}
