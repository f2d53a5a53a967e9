// Test support for the RTN kernel (used by rtn.gpu.test.ts and src/gpu/node-gpu.test.ts): seeded
// weights, and GPU-vs-reference comparison with the tolerances of STYLE.md "Tests": scales and zero
// points equal, codes equal except ±1 flips at a rounding boundary, relError close.
import type { WeightLayout } from '../../core/model-index';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { codeAt } from '../../quant/rtn';

/** Codes may differ by one only where w·(1/scale) [+ zp] is this close (in code units) to a .5 tie. */
export const BOUNDARY_EPS = 1e-4;
/** Largest share of codes allowed to differ by one at a rounding boundary (GPUs may fuse to fma). */
export const MAX_BOUNDARY_FLIP_SHARE = 1e-3;
export const SCALE_REL_TOL = 1e-6;
export const REL_ERROR_REL_TOL = 1e-4;

/** mulberry32: a small seeded PRNG in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Weight-like values: N(0, 0.05²) with 1% outliers ×8, a few exact zeros, and values on a coarse
 * grid (so groups hit ±abs-max ties and exact rounding ties).
 */
export function seededWeights(count: number, seed: number): Float32Array<ArrayBuffer> {
  const rnd = seededRandom(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const u = rnd();
    const gauss = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()) * 0.05;
    if (u < 0.01) out[i] = gauss * 8;
    else if (u < 0.02) out[i] = 0;
    else if (u < 0.1) out[i] = Math.round(gauss * 64) / 64;
    else out[i] = gauss;
  }
  return out;
}

export interface RtnComparison {
  codes: number;
  boundaryFlips: number;
  /** Descriptions of disagreements that are not allowed (empty when the GPU result is acceptable). */
  failures: string[];
  maxScaleRelDiff: number;
  relErrorRelDiff: number;
}

/** Compares a GPU result with the reference for the same `values` (as the reference read them). */
export function compareRtn(gpu: IntGroupTensor, ref: IntGroupTensor, values: Float32Array, layout: WeightLayout): RtnComparison {
  const failures: string[] = [];
  const fail = (s: string) => failures.length < 8 && failures.push(s);
  for (const key of ['rows', 'cols', 'bits', 'storedBits', 'symmetric', 'groupSize', 'packBlock'] as const) {
    if (gpu[key] !== ref[key]) fail(`${key}: gpu ${gpu[key]} vs ref ${ref[key]}`);
  }
  if (gpu.codes.length !== ref.codes.length) fail(`codes bytes: gpu ${gpu.codes.length} vs ref ${ref.codes.length}`);
  const groups = Math.ceil(ref.cols / ref.groupSize);
  let maxScaleRelDiff = 0;
  for (let i = 0; i < ref.scales.length; i++) {
    const a = gpu.scales[i];
    const b = ref.scales[i];
    const d = a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
    maxScaleRelDiff = Math.max(maxScaleRelDiff, d);
    if (!(d <= SCALE_REL_TOL)) fail(`scale of row ${Math.floor(i / groups)} group ${i % groups}: gpu ${a} vs ref ${b}`);
    if (gpu.zeroPoints[i] !== ref.zeroPoints[i]) {
      fail(`zero point of row ${Math.floor(i / groups)} group ${i % groups}: gpu ${gpu.zeroPoints[i]} vs ref ${ref.zeroPoints[i]}`);
    }
  }
  const paddedCols = Math.ceil(ref.cols / ref.packBlock) * ref.packBlock;
  let boundaryFlips = 0;
  for (let r = 0; r < ref.rows; r++) {
    for (let c = 0; c < paddedCols; c++) {
      const qg = codeAt(gpu, r, c);
      const qr = codeAt(ref, r, c);
      if (qg === qr) continue;
      const where = `row ${r} col ${c} (group ${Math.floor(c / ref.groupSize)})`;
      if (c >= ref.cols || Math.abs(qg - qr) !== 1) {
        fail(`code at ${where}: gpu ${qg} vs ref ${qr}`);
        continue;
      }
      const x = unroundedCode(ref, values, layout, r, c);
      if (Math.abs(Math.abs(x - Math.trunc(x)) - 0.5) <= BOUNDARY_EPS) boundaryFlips++;
      else fail(`code at ${where}: gpu ${qg} vs ref ${qr}, not at a rounding tie (w·(1/scale)[+zp] = ${x})`);
    }
  }
  const relErrorRelDiff = ref.relError === 0 ? gpu.relError : Math.abs(gpu.relError - ref.relError) / ref.relError;
  if (!(relErrorRelDiff <= REL_ERROR_REL_TOL)) fail(`relError: gpu ${gpu.relError} vs ref ${ref.relError}`);
  return { codes: ref.rows * paddedCols, boundaryFlips, failures, maxScaleRelDiff, relErrorRelDiff };
}

/** w·(1/scale) (+ zp for asymmetric) in float64, the value the reference rounds. */
function unroundedCode(ref: IntGroupTensor, values: Float32Array, layout: WeightLayout, r: number, c: number): number {
  const groups = Math.ceil(ref.cols / ref.groupSize);
  const gi = r * groups + Math.floor(c / ref.groupSize);
  const scale = ref.scales[gi];
  const recip = scale === 0 ? 0 : Math.fround(1 / scale);
  const v = values[r * layout.rowStride + c * layout.colStride];
  return ref.symmetric ? v * recip : v * recip + ref.zeroPoints[gi];
}
