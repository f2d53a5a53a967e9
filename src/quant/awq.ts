// AWQ (Lin et al. 2024, "AWQ: Activation-aware Weight Quantization"): the CPU reference (the spec)
// for shaders/quant/awq.wgsl. Two searches, both scored by the output error of the quantized weight
// on calibration inputs, written through the input Hessian H = 2/n·XᵀX instead of the activations:
// ‖(Ŵ − W)X‖² ∝ Σ_rows δ H δᵀ, so nothing but H (which calibration already accumulates) is kept.
// - Scales: per input channel s = m^α with m the channel's activation magnitude and α = i/grid;
//   s is normalised by √(max·min) as the reference does; the candidate's error is that of
//   Q(W·diag(s))·diag(s)⁻¹ against W, summed over the weights sharing the input. α = 0 (s = 1) is
//   round-to-nearest, so the chosen scales never score worse than it.
// - Clipping: per row and group of the scaled weight, the range shrunk to (1 − i/grid)·max|w| for
//   i below maxShrink·grid (a symmetric clamp, as the reference), scored by δ_g H_gg δ_gᵀ, the
//   group's own block of H.
// Departure from the reference, on purpose: m is the RMS of the channel (√(Σx²/n), which the
// calibration capture accumulates for every method) where the reference takes mean |x|; the grid
// over α absorbs a per-model change of scale, not a per-channel one (see the README's AWQ figures).
// δ is formed in float32 exactly as the kernel forms it (the RTN grid of src/quant/rtn.ts); the
// error sums are float64.
import { ShapeError } from '../core/errors';
import { dequantizeGgmlRef, quantizeGgmlRef } from './ggml/ggml-codec';
import { groupParams, quantizeValue } from './rtn';

/** The reference's floor on an activation magnitude before the power (clamp(min=1e-4)). */
export const AWQ_MIN_MAGNITUDE = 1e-4;
/** auto_clip: shrink the range by at most half, on a grid of 20 steps. */
export const AWQ_CLIP_GRID = 20;
export const AWQ_CLIP_MAX_SHRINK = 0.5;

const fround = Math.fround;

/** The integer grid the searches quantize with. */
export interface AwqGrid {
  bits: number;
  /** Elements per scale along the input (cols for per-channel). */
  groupSize: number;
  symmetric: boolean;
}

/** What the searches quantize to: the integer grid, or a llama.cpp block type (its own quantizer). */
export type AwqTarget = AwqGrid | { ggml: string };

const isGgml = (t: AwqTarget): t is { ggml: string } => 'ggml' in t;

/** δ of a candidate on a llama.cpp type: llama.cpp's quantizer (the reference codec) on W·diag(s), decoded, divided back. */
export function awqGgmlDeltaRef(w: Float32Array, rows: number, cols: number, s: Float32Array, type: string): Float32Array {
  const scaled = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) scaled[r * cols + c] = fround(w[r * cols + c] * s[c]);
  const decoded = dequantizeGgmlRef(type, quantizeGgmlRef(type, scaled));
  return Float32Array.from(decoded, (v, i) => fround(fround(v / s[i % cols]) - w[i]));
}

/** δ of a candidate on either target. */
export function awqTargetDeltaRef(w: Float32Array, rows: number, cols: number, s: Float32Array, target: AwqTarget): Float32Array {
  return isGgml(target) ? awqGgmlDeltaRef(w, rows, cols, s, target.ggml) : awqDeltaRef(w, rows, cols, s, target);
}

/** The exponents tried: i / gridPoints for i = 0 … gridPoints − 1. */
export function awqAlphas(gridPoints: number): number[] {
  return Array.from({ length: gridPoints }, (_, i) => i / gridPoints);
}

/** s = max(m, 1e-4)^α, divided by √(max(s)·min(s)); float32. */
export function awqScales(magnitude: ArrayLike<number>, alpha: number): Float32Array {
  const s = new Float32Array(magnitude.length);
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = 0; j < s.length; j++) {
    s[j] = Math.max(magnitude[j], AWQ_MIN_MAGNITUDE) ** alpha;
    lo = Math.min(lo, s[j]);
    hi = Math.max(hi, s[j]);
  }
  const norm = Math.sqrt(hi * lo);
  for (let j = 0; j < s.length; j++) s[j] = fround(s[j] / norm);
  return s;
}

/** Parameters of one group of `v[start..end)`, as the RTN grid computes them. */
function paramsOf(v: ArrayLike<number>, start: number, end: number, grid: AwqGrid) {
  let mn = Infinity;
  let mx = -Infinity;
  let amax = 0;
  for (let c = start; c < end; c++) {
    const x = v[c];
    if (x < mn) mn = x;
    if (x > mx) mx = x;
    if (Math.abs(x) > Math.abs(amax)) amax = x;
  }
  return groupParams(mn, mx, amax, grid.bits, grid.symmetric);
}

/** Q(x) on the grid, float32 as MatMulNBits dequantizes it. */
function dequant(x: number, p: ReturnType<typeof groupParams>, grid: AwqGrid): number {
  return fround((quantizeValue(x, p, grid.bits, grid.symmetric) - p.zeroPoint) * p.scale);
}

/** δ = Q(W·diag(s))·diag(s)⁻¹ − W, [rows][cols] float32, as the kernel's delta pass writes it. */
export function awqDeltaRef(w: Float32Array, rows: number, cols: number, s: Float32Array, grid: AwqGrid): Float32Array {
  const delta = new Float32Array(rows * cols);
  const scaled = new Float32Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) scaled[c] = fround(w[r * cols + c] * s[c]);
    for (let start = 0; start < cols; start += grid.groupSize) {
      const end = Math.min(cols, start + grid.groupSize);
      const p = paramsOf(scaled, start, end, grid);
      for (let c = start; c < end; c++) delta[r * cols + c] = fround(fround(dequant(scaled[c], p, grid) / s[c]) - w[r * cols + c]);
    }
  }
  return delta;
}

/**
 * Σ_r δ_r H δ_rᵀ per row (float64 sums), H [cols][cols] row-major. Four rows share each pass over
 * H (each H value read once for four products), which halves the time on the CI machine; every
 * row's sums run in the same order as one row alone would, so the losses are bit for bit those of
 * the plain loop (rowLoss) that finishes the last rows.
 */
export function awqRowLossRef(delta: Float32Array, rows: number, cols: number, h: ArrayLike<number>): Float64Array {
  const loss = new Float64Array(rows);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const o0 = r * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let i = 0; i < cols; i++) {
      let hd0 = 0, hd1 = 0, hd2 = 0, hd3 = 0;
      const hi = i * cols;
      for (let j = 0; j < cols; j++) {
        const v = h[hi + j];
        hd0 += v * delta[o0 + j];
        hd1 += v * delta[o1 + j];
        hd2 += v * delta[o2 + j];
        hd3 += v * delta[o3 + j];
      }
      s0 += delta[o0 + i] * hd0;
      s1 += delta[o1 + i] * hd1;
      s2 += delta[o2 + i] * hd2;
      s3 += delta[o3 + i] * hd3;
    }
    loss[r] = s0;
    loss[r + 1] = s1;
    loss[r + 2] = s2;
    loss[r + 3] = s3;
  }
  for (; r < rows; r++) loss[r] = rowLoss(delta, r * cols, cols, h);
  return loss;
}

/** δ H δᵀ of the row of `delta` at `offset`. */
function rowLoss(delta: Float32Array, offset: number, cols: number, h: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < cols; i++) {
    let hd = 0;
    for (let j = 0; j < cols; j++) hd += h[i * cols + j] * delta[offset + j];
    sum += delta[offset + i] * hd;
  }
  return sum;
}

/** One weight sharing the searched input: W [rows][cols] row-major float32. */
export interface AwqWeight {
  values: Float32Array;
  rows: number;
  cols: number;
}

export interface AwqScaleSearch {
  /** The chosen exponent and its scales, per input column of the weights. */
  alpha: number;
  scales: Float32Array;
  /** The same scales per magnitude entry (what the operation before divides by; = scales unless `expand` tied them). */
  producerScales: Float32Array;
  /** Output error of every candidate (index = grid point), summed over the weights. */
  losses: number[];
}

/** A candidate's total output error; the kernel computes the same per row. */
export type CandidateLoss = (weights: readonly AwqWeight[], s: Float32Array) => Promise<number> | number;

/** The reference's candidate error: Σ over weights and rows of δ H δᵀ. */
export function awqCandidateLossRef(h: ArrayLike<number>, target: AwqTarget): CandidateLoss {
  return (weights, s) => {
    let total = 0;
    for (const w of weights) {
      const delta = awqTargetDeltaRef(w.values, w.rows, w.cols, s, target);
      for (const l of awqRowLossRef(delta, w.rows, w.cols, h)) total += l;
    }
    return total;
  };
}

export interface AwqSearchOptions {
  /** Scales per magnitude entry → per input column (grouped-query attention ties o's columns to v's rows). */
  expand?: (s: Float32Array) => Float32Array;
  signal?: AbortSignal;
}

/**
 * The scale search over α = i/gridPoints: the candidate with the least output error (the first on
 * ties, so α = 0 — plain round-to-nearest — wins when nothing helps).
 */
export async function awqSearchScales(weights: readonly AwqWeight[], magnitude: ArrayLike<number>, gridPoints: number, loss: CandidateLoss, opts: AwqSearchOptions = {}): Promise<AwqScaleSearch> {
  const expand = opts.expand ?? ((s: Float32Array) => s);
  const cols = expand(new Float32Array(magnitude.length)).length;
  for (const w of weights) {
    if (w.cols !== cols || w.values.length !== w.rows * w.cols) throw new ShapeError(`AWQ: a ${w.rows}×${w.cols} weight does not take the ${cols} searched input channels`);
  }
  const losses: number[] = [];
  let best = 0;
  let chosen: { producer: Float32Array; scales: Float32Array } | undefined;
  for (const alpha of awqAlphas(gridPoints)) {
    opts.signal?.throwIfAborted();
    const producer = awqScales(magnitude, alpha);
    const scales = expand(producer);
    const l = await loss(weights, scales);
    losses.push(l);
    if (chosen === undefined || l < losses[best]) {
      best = losses.length - 1;
      chosen = { producer, scales };
    }
  }
  return { alpha: best / gridPoints, scales: chosen!.scales, producerScales: chosen!.producer, losses };
}

/** The shrink ratios auto_clip tries: 1 − i/grid for i < maxShrink·grid. */
export function awqClipRatios(): number[] {
  return Array.from({ length: Math.floor(AWQ_CLIP_MAX_SHRINK * AWQ_CLIP_GRID) }, (_, i) => fround(1 - i / AWQ_CLIP_GRID));
}

/**
 * Output error of every (row, group, ratio) of the clip search, [rows][groups][ratios] (float64):
 * the group clamped to ±ratio·max|w| (float32), quantized on the grid, δ against the unclamped w,
 * scored by δ H_gg δᵀ.
 */
export function awqClipLossRef(w: Float32Array, rows: number, cols: number, h: ArrayLike<number>, grid: AwqGrid): Float64Array {
  const ratios = awqClipRatios();
  const groups = Math.ceil(cols / grid.groupSize);
  const out = new Float64Array(rows * groups * ratios.length);
  const clamped = new Float32Array(grid.groupSize);
  const delta = new Float32Array(grid.groupSize);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const start = g * grid.groupSize;
      const n = Math.min(cols, start + grid.groupSize) - start;
      let amax = 0;
      for (let k = 0; k < n; k++) amax = Math.max(amax, Math.abs(w[r * cols + start + k]));
      ratios.forEach((ratio, i) => {
        const limit = fround(amax * ratio);
        for (let k = 0; k < n; k++) clamped[k] = Math.min(limit, Math.max(-limit, w[r * cols + start + k]));
        const p = paramsOf(clamped, 0, n, grid);
        for (let k = 0; k < n; k++) delta[k] = fround(dequant(clamped[k], p, grid) - w[r * cols + start + k]);
        let sum = 0;
        for (let a = 0; a < n; a++) {
          if (delta[a] === 0) continue;
          let hd = 0;
          for (let b = 0; b < n; b++) hd += h[(start + a) * cols + start + b] * delta[b];
          sum += delta[a] * hd;
        }
        out[(r * groups + g) * ratios.length + i] = sum;
      });
    }
  }
  return out;
}

/** Each (row, group)'s clamp limit from the clip losses: ratio·max|w| of its least-error ratio (the first on ties). */
export function awqClipLimits(w: Float32Array, rows: number, cols: number, groupSize: number, losses: ArrayLike<number>): Float32Array {
  const ratios = awqClipRatios();
  const groups = Math.ceil(cols / groupSize);
  const limits = new Float32Array(rows * groups);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const at = (r * groups + g) * ratios.length;
      let best = 0;
      for (let i = 1; i < ratios.length; i++) if (losses[at + i] < losses[at + best]) best = i;
      let amax = 0;
      for (let c = g * groupSize; c < Math.min(cols, (g + 1) * groupSize); c++) amax = Math.max(amax, Math.abs(w[r * cols + c]));
      limits[r * groups + g] = fround(amax * ratios[best]);
    }
  }
  return limits;
}

/** W with each (row, group) clamped to ±its limit (a new array). */
export function applyClipLimits(w: Float32Array, rows: number, cols: number, groupSize: number, limits: Float32Array): Float32Array {
  const groups = Math.ceil(cols / groupSize);
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const limit = limits[r * groups + Math.floor(c / groupSize)];
      out[r * cols + c] = Math.min(limit, Math.max(-limit, w[r * cols + c]));
    }
  }
  return out;
}
