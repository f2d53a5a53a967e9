// llama.cpp's importance-weighted quantizers (ggml-quants.c quantize_row_*_impl), which
// llama-quantize runs instead of the reference ones when given `--imatrix`: the importance of
// input column j (the mean of x_j² over calibration tokens, formats/imatrix) weighs the error of
// every weight in that column when scales and mins are searched. Q6_K's variant lives in
// block-q6_k.ts (it only swaps the weights of one search); Q8_0 and the float types ignore
// importance, as upstream does. Float operations are rounded to float32 in upstream order (`f`):
// given the same importance vector the blocks equal llama-quantize's (llama-cpp-imatrix-parity test).
import { rowBlockCount } from './block-shape';
import { packQ3_KCodes, packQ3_KScales, Q3_K_BLOCK_BYTES, scaleQ3K } from './block-q3_k';
import { Q4_0_BLOCK_BYTES, Q4_1_BLOCK_BYTES, QK4 } from './block-q4';
import { packQ4_KCodes, packQ5_KCodes, Q4_K_BLOCK_BYTES, Q5_K_BLOCK_BYTES } from './block-q4_k-q5_k';
import { pack5, Q5_0_BLOCK_BYTES, Q5_1_BLOCK_BYTES } from './block-q5';
import { Q2_K_BLOCK_BYTES } from './block-q2_k';
import { quantizeQ6_KRef } from './block-q6_k';
import { f, nearestInt, writeF16 } from './ggml-math';
import { makeQpQuants } from './importance-search';
import { clamp, makeQkx2Quants, makeQxQuants } from './kquant-search';
import { pack2bit, packScaleMinK4, QK_K, scaleMinK4 } from './kquant-pack';

/** Quantizes one row (importance: one weight per element of the row) into `out` at `o`. */
type RowQuantizer = (x: Float32Array, importance: Float32Array, out: Uint8Array, o: number) => void;

/** make_qkx3_quants(…, −0.9, 0.05, 36, false), the grid search upstream's asymmetric impl paths share: make_qkx2_quants's math (importance-search.ts). */
const qkx3 = (nmax: number, x: Float32Array, w: Float32Array, L: Uint8Array, Laux: Uint8Array) =>
  makeQkx2Quants(nmax, x, w, L, Laux, f(-0.9), f(0.05), 36, false);

function sumSquares(x: Float32Array): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s = f(s + f(x[j] * x[j]));
  return s;
}

/** weight[j] = importance[j] · √(σ² + x[j]²), upstream's weighting of every impl but Q6_K's. */
function fillWeights(weight: Float32Array, qw: Float32Array, x: Float32Array, sigma2: number): void {
  for (let j = 0; j < x.length; j++) weight[j] = f(qw[j] * f(Math.sqrt(f(sigma2 + f(x[j] * x[j])))));
}

function sumOf(w: Float32Array): number {
  let s = 0;
  for (let j = 0; j < w.length; j++) s = f(s + w[j]);
  return s;
}

/** Legacy 32-element blocks: σ² is the mean square over the whole row. */
function legacyRow(
  blockBytes: number,
  block: (xb: Float32Array, weight: Float32Array, out: Uint8Array, o: number) => void,
): RowQuantizer {
  const weight = new Float32Array(QK4);
  return (x, importance, out, o) => {
    const sigma2 = f(sumSquares(x) / x.length);
    for (let ib = 0; ib < x.length / QK4; ib++) {
      const xb = x.subarray(QK4 * ib, QK4 * ib + QK4);
      fillWeights(weight, importance.subarray(QK4 * ib, QK4 * ib + QK4), xb, sigma2);
      block(xb, weight, out, o + ib * blockBytes);
    }
  };
}

const signedCodes = new Int8Array(QK_K);
const codes = new Uint8Array(QK_K);
const aux = new Uint8Array(32);

function packNibbles(L: ArrayLike<number>, out: Uint8Array, at: number): void {
  for (let j = 0; j < QK4 / 2; j++) out[at + j] = L[j] | (L[j + QK4 / 2] << 4);
}

const q4_0 = legacyRow(Q4_0_BLOCK_BYTES, (xb, w, out, o) => {
  writeF16(out, o, makeQxQuants(8, xb, signedCodes.subarray(0, QK4), w));
  packNibbles(signedCodes, out, o + 2);
});

const q4_1 = legacyRow(Q4_1_BLOCK_BYTES, (xb, w, out, o) => {
  const r = qkx3(15, xb, w, codes, aux);
  writeF16(out, o, r.scale);
  writeF16(out, o + 2, -r.min);
  packNibbles(codes, out, o + 4);
});

const q5_0 = legacyRow(Q5_0_BLOCK_BYTES, (xb, w, out, o) => {
  writeF16(out, o, makeQxQuants(16, xb, signedCodes.subarray(0, QK4), w));
  pack5(out, o + 2, o + 6, signedCodes);
});

const q5_1 = legacyRow(Q5_1_BLOCK_BYTES, (xb, w, out, o) => {
  const r = qkx3(31, xb, w, codes, aux);
  writeF16(out, o, r.scale);
  writeF16(out, o + 2, -r.min);
  pack5(out, o + 4, o + 8, codes);
});

/** Per super-block: σ² = (k · Σx²) / 256 with k = 1 (Q2_K) or 2 (Q3_K, Q4_K, Q5_K). */
function superBlockRow(blockBytes: number, sigmaFactor: number, block: (xb: Float32Array, qw: Float32Array, sigma2: number, out: Uint8Array, o: number) => void): RowQuantizer {
  return (x, importance, out, o) => {
    for (let i = 0; i < x.length / QK_K; i++) {
      const xb = x.subarray(QK_K * i, QK_K * i + QK_K);
      const sigma2 = f(f(sigmaFactor * sumSquares(xb)) / QK_K);
      block(xb, importance.subarray(QK_K * i, QK_K * i + QK_K), sigma2, out, o + i * blockBytes);
    }
  };
}

const w16 = new Float32Array(16);
const w32 = new Float32Array(32);
const subScales = new Float32Array(16);
const subMins = new Float32Array(16);
const subWeights = new Float32Array(16);
const ls = new Uint8Array(16);
const lm = new Uint8Array(16);

const q2_K = superBlockRow(Q2_K_BLOCK_BYTES, 1, (xb, qw, sigma2, out, o) => {
  for (let j = 0; j < 16; j++) {
    const xs = xb.subarray(16 * j, 16 * j + 16);
    fillWeights(w16, qw.subarray(16 * j, 16 * j + 16), xs, sigma2);
    subWeights[j] = sumOf(w16);
    const r = qkx3(3, xs, w16, codes.subarray(16 * j, 16 * j + 16), aux);
    subScales[j] = r.scale;
    subMins[j] = r.min;
  }
  const d = writeF16(out, o + 80, makeQpQuants(15, subScales, ls, subWeights));
  const dmin = writeF16(out, o + 82, makeQpQuants(15, subMins, lm, subWeights));
  for (let j = 0; j < 16; j++) out[o + j] = ls[j] | (lm[j] << 4);
  for (let j = 0; j < 16; j++) {
    const dl = f(d * (out[o + j] & 0xf));
    if (!dl) continue;
    const ml = f(dmin * (out[o + j] >> 4));
    for (let ii = 0; ii < 16; ii++) codes[16 * j + ii] = clamp(nearestInt(f(f(xb[16 * j + ii] + ml) / dl)), 0, 3);
  }
  pack2bit(codes, out, o + 16);
});

const scaleCodes = new Int8Array(16);

const q3_K = superBlockRow(Q3_K_BLOCK_BYTES, 2, (xb, qw, sigma2, out, o) => {
  for (let j = 0; j < 16; j++) {
    const xs = xb.subarray(16 * j, 16 * j + 16);
    fillWeights(w16, qw.subarray(16 * j, 16 * j + 16), xs, sigma2);
    subWeights[j] = sumOf(w16);
    subScales[j] = makeQxQuants(4, xs, signedCodes.subarray(16 * j, 16 * j + 16), w16);
  }
  const dBlock = makeQxQuants(32, subScales, scaleCodes, subWeights);
  packQ3_KScales(scaleCodes, out, o + 96);
  const d = writeF16(out, o + 108, dBlock);
  for (let j = 0; j < 16; j++) {
    const dl = f(d * (scaleQ3K(out, o + 96, j) - 32));
    if (!dl) continue;
    for (let ii = 0; ii < 16; ii++) signedCodes[16 * j + ii] = clamp(nearestInt(f(xb[16 * j + ii] / dl)), -4, 3) + 4;
  }
  packQ3_KCodes(signedCodes, out, o);
});

/** Q4_K and Q5_K: eight sub-blocks of 32 with 6-bit scale and min codes. */
function q4_KOrQ5_K(nmax: 15 | 31, blockBytes: number, pack: (L: Uint8Array, out: Uint8Array, o: number) => void): RowQuantizer {
  return superBlockRow(blockBytes, 2, (xb, qw, sigma2, out, o) => {
    const scales = subScales.subarray(0, 8);
    const mins = subMins.subarray(0, 8);
    const sw = subWeights.subarray(0, 8);
    for (let j = 0; j < 8; j++) {
      const xs = xb.subarray(32 * j, 32 * j + 32);
      fillWeights(w32, qw.subarray(32 * j, 32 * j + 32), xs, sigma2);
      sw[j] = sumOf(w32);
      const r = qkx3(nmax, xs, w32, codes.subarray(32 * j, 32 * j + 32), aux);
      scales[j] = r.scale;
      mins[j] = r.min;
    }
    const dBlock = makeQpQuants(63, scales, ls, sw);
    const mBlock = makeQpQuants(63, mins, lm, sw);
    // make_qp_quants keeps a negative code as its uint8 wrap; upstream's Q5_K (not Q4_K) clamps to 63.
    if (nmax === 31) {
      for (let j = 0; j < 8; j++) {
        ls[j] = Math.min(63, ls[j]);
        lm[j] = Math.min(63, lm[j]);
      }
    }
    packScaleMinK4(ls, lm, out, o + 4);
    const d = writeF16(out, o, dBlock);
    const dmin = writeF16(out, o + 2, mBlock);
    for (let j = 0; j < 8; j++) {
      const { sc, m } = scaleMinK4(out, o + 4, j);
      const dl = f(d * sc);
      if (!dl) continue;
      const ml = f(dmin * m);
      for (let ii = 0; ii < 32; ii++) codes[32 * j + ii] = clamp(nearestInt(f(f(xb[32 * j + ii] + ml) / dl)), 0, nmax);
    }
    pack(codes, out, o);
  });
}

const ROWS: Partial<Record<string, { blockSize: number; blockBytes: number; row: RowQuantizer }>> = {
  Q4_0: { blockSize: QK4, blockBytes: Q4_0_BLOCK_BYTES, row: q4_0 },
  Q4_1: { blockSize: QK4, blockBytes: Q4_1_BLOCK_BYTES, row: q4_1 },
  Q5_0: { blockSize: QK4, blockBytes: Q5_0_BLOCK_BYTES, row: q5_0 },
  Q5_1: { blockSize: QK4, blockBytes: Q5_1_BLOCK_BYTES, row: q5_1 },
  Q2_K: { blockSize: QK_K, blockBytes: Q2_K_BLOCK_BYTES, row: q2_K },
  Q3_K: { blockSize: QK_K, blockBytes: Q3_K_BLOCK_BYTES, row: q3_K },
  Q4_K: { blockSize: QK_K, blockBytes: Q4_K_BLOCK_BYTES, row: q4_KOrQ5_K(15, Q4_K_BLOCK_BYTES, packQ4_KCodes) },
  Q5_K: { blockSize: QK_K, blockBytes: Q5_K_BLOCK_BYTES, row: q4_KOrQ5_K(31, Q5_K_BLOCK_BYTES, packQ5_KCodes) },
};

/** Types with an importance-weighted quantizer here: core/recipe.ts GGML_IMPORTANCE_TYPES (codec test). */
export const IMPORTANCE_TYPES: readonly string[] = [...Object.keys(ROWS), 'Q6_K'];

/**
 * Quantizes rows of `importance.length` values laid end to end into ggml type `typeName` as
 * llama-quantize does with an importance matrix; undefined for types that ignore importance.
 */
export function quantizeWithImportance(typeName: string, x: Float32Array, importance: Float32Array): Uint8Array | undefined {
  if (typeName === 'Q6_K') return quantizeQ6_KRef(x, importance);
  const t = ROWS[typeName];
  if (!t) return undefined;
  const n = importance.length;
  const rowBlocks = rowBlockCount(x.length, n, t.blockSize, typeName);
  const rows = x.length / n;
  const out = new Uint8Array(rows * rowBlocks * t.blockBytes);
  for (let r = 0; r < rows; r++) t.row(x.subarray(r * n, (r + 1) * n), importance, out, r * rowBlocks * t.blockBytes);
  return out;
}
