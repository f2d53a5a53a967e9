// AWQ's scale search for one scale group of a plan (core/compression-plan AwqScaleGroup), and what
// the scales do to the tensors around it. compressModel runs the search once per group, the first
// time a tensor of the group needs it, from the group's weights and the calibration statistics of
// their shared input: the activation magnitude m (the RMS, √(Σx²/n)) and the Hessian H. Then
//   - each weight taking the scales is quantized as W·diag(s), its input statistics as those of
//     X·diag(s)⁻¹ (H_ij / s_i s_j, Σx_j² / s_j²);
//   - the producer is divided by s: a norm's weight, or the output rows of v_proj / up_proj;
//   - the measured error is taken back in the original space (Ŵ·diag(s)⁻¹ against W).
// Grouped-query attention ties o_proj's input columns to v_proj's rows (awq-plan tiedIndex): the
// search runs on the tied magnitudes (mean square over the heads sharing a key/value head).
import { type AwqScaleGroup, tiedIndex } from '../../core/compression-plan';
import type { AwqQuantize } from '../../core/recipe';
import type { GpuContext } from '../../gpu/context';
import { awqCandidateLossGpu } from '../../kernels/quant/awq';
import { awqCandidateLossRef, awqSearchScales, type AwqTarget, type AwqWeight } from '../../quant/awq';
import { groupSizeOf } from '../../quant/rtn';
import type { InputStats, WeightInput } from './method';
import { originalValues, requireStats } from './prune-run';

export interface AwqGroupScales {
  group: AwqScaleGroup;
  alpha: number;
  /** s per input column of the group's weights. */
  consumer: Float32Array;
  /** s per element of the producer (norm entries, or v/up rows). */
  producer: Float32Array;
  /** The chosen candidate's output error relative to round-to-nearest's (α = 0). */
  ofRtn: number;
}

/** Searches the group's scales; `weights` are the group's consumers with their input statistics. */
export async function searchGroupScales(group: AwqScaleGroup, weights: readonly WeightInput[], spec: AwqQuantize, gpu?: GpuContext, signal?: AbortSignal): Promise<AwqGroupScales> {
  const stats = requireStats(weights[0], 'AWQ', true);
  const cols = weights[0].layout.cols;
  const meanSquare = Array.from(stats.sumSquares, (v) => v / Math.max(1, stats.tokens));
  let magnitude: number[];
  let expand: ((s: Float32Array) => Float32Array) | undefined;
  const tie = group.tie;
  if (tie) {
    const width = tie.kvHeads * tie.headDim;
    const sums = new Float64Array(width);
    const counts = new Float64Array(width);
    for (let c = 0; c < cols; c++) {
      sums[tiedIndex(tie, c)] += meanSquare[c];
      counts[tiedIndex(tie, c)]++;
    }
    magnitude = Array.from(sums, (v, i) => Math.sqrt(v / counts[i]));
    expand = (s) => Float32Array.from({ length: cols }, (_, c) => s[tiedIndex(tie, c)]);
  } else {
    magnitude = meanSquare.map(Math.sqrt);
  }
  const values: AwqWeight[] = weights.map((w) => ({ values: originalValues(w), rows: w.layout.rows, cols }));
  const grid: AwqTarget = spec.type !== undefined ? { ggml: spec.type } : { bits: spec.bits, groupSize: groupSizeOf(spec, cols), symmetric: spec.symmetric };
  const gpuLoss = gpu ? await awqCandidateLossGpu(gpu, values, stats.hessian!, grid, signal) : undefined;
  try {
    const search = await awqSearchScales(values, magnitude, spec.gridPoints, gpuLoss?.loss ?? awqCandidateLossRef(stats.hessian!, grid), { expand, signal });
    const best = Math.min(...search.losses);
    return { group, alpha: search.alpha, consumer: search.scales, producer: search.producerScales, ofRtn: search.losses[0] === 0 ? 1 : best / search.losses[0] };
  } finally {
    gpuLoss?.destroy();
  }
}

/** The input statistics of X·diag(s)⁻¹. */
export function scaledStats(stats: InputStats, s: Float32Array): InputStats {
  const n = s.length;
  const sumSquares = Float32Array.from(stats.sumSquares, (v, j) => v / (s[j] * s[j]));
  if (!stats.hessian) return { ...stats, sumSquares };
  const hessian = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) hessian[i * n + j] = stats.hessian[i * n + j] / (s[i] * s[j]);
  return { ...stats, sumSquares, hessian };
}

/** W [rows][cols] with columns multiplied by `cols` scales and rows divided by `rows` scales (either may be absent). */
export function scaleWeight(w: Float32Array, rows: number, cols: number, colScales?: Float32Array, rowScales?: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let v = w[r * cols + c];
      if (colScales) v *= colScales[c];
      if (rowScales) v /= rowScales[r];
      out[r * cols + c] = v;
    }
  }
  return out;
}

/** Ŵ taken back to the original space: columns divided by their scales, rows multiplied by theirs. */
export function unscaleWeight(w: Float32Array, rows: number, cols: number, colScales?: Float32Array, rowScales?: Float32Array): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      let v = w[r * cols + c];
      if (colScales) v /= colScales[c];
      if (rowScales) v *= rowScales[r];
      out[r * cols + c] = v;
    }
  }
  return out;
}
