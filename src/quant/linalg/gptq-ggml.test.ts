// GPTQ's solve on llama.cpp grids against llama.cpp's own quantizer of the same type, on a weight
// with outlier columns and a correlated input Hessian: the bytes decode (dequantizeGgmlRef) to the
// values the solve reports, its output error tr(ΔHΔᵀ) is below the quantizer's for every type (the
// point of the method), with and without act-order; a K-quant's 256-element super-block is never
// split by the lazy blocksize; and shapes that do not fit the type are refused.
import { describe, expect, it } from 'vitest';
import { GPTQ_GGML_TYPES } from '../../core/recipe';
import { dequantizeGgmlRef, quantizeGgmlRef } from '../ggml/ggml-codec';
import { dampedInverseCholeskyRef } from './cholesky';
import { actOrderPerm, permuteSymmetric } from './gptq';
import { gptqGgmlRef } from './gptq-ggml';

function noise(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

/** H = 2/n XᵀX for rows whose channels mix (each x_j leans on x_{j−1}) and a few loud channels. */
function hessian(cols: number, n: number): Float32Array {
  const z = noise(n * cols, 3);
  const x = new Float64Array(n * cols);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < cols; j++) x[t * cols + j] = z[t * cols + j] * (j % 29 === 0 ? 5 : 1) + (j ? 0.6 * x[t * cols + j - 1] : 0);
  }
  const h = new Float32Array(cols * cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let t = 0; t < n; t++) acc += x[t * cols + i] * x[t * cols + j];
      h[i * cols + j] = (2 / n) * acc;
    }
  }
  return h;
}

/** Σ_rows δ H δᵀ. */
function outputError(w: Float32Array, q: Float32Array, h: Float32Array, rows: number, cols: number): number {
  let total = 0;
  const d = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) d[c] = w[r * cols + c] - q[r * cols + c];
    for (let i = 0; i < cols; i++) {
      let acc = 0;
      for (let j = 0; j < cols; j++) acc += h[i * cols + j] * d[j];
      total += d[i] * acc;
    }
  }
  return total;
}

describe('GPTQ on llama.cpp grids (reference)', () => {
  const rows = 8;
  const cols = 512;
  const h = hessian(cols, 1024);
  const w = Float32Array.from(noise(rows * cols, 9), (v, i) => v * 0.1 * (i % cols % 97 === 0 ? 4 : 1));
  const inv = dampedInverseCholeskyRef(h, cols, 0.01);

  for (const type of GPTQ_GGML_TYPES) {
    it(`${type}: its bytes decode to its values, with less output error than llama.cpp's quantizer alone`, () => {
      const r = gptqGgmlRef(w, rows, cols, inv.u, { type, blocksize: 128 });
      expect(Array.from(dequantizeGgmlRef(type, r.bytes))).toEqual(Array.from(r.values));
      const plain = outputError(w, dequantizeGgmlRef(type, quantizeGgmlRef(type, w)), h, rows, cols);
      const ours = outputError(w, r.values, h, rows, cols);
      console.log(`${type}: output error GPTQ / llama.cpp quantizer = ${(ours / plain).toFixed(3)}`);
      expect(ours).toBeLessThan(0.9 * plain);
    });
  }

  it('act-order (static blocks from the original W) decodes to its values and beats the quantizer too', () => {
    const perm = actOrderPerm(h, cols);
    const u = dampedInverseCholeskyRef(Float32Array.from(permuteSymmetric(h, cols, perm)), cols, 0.01).u;
    const r = gptqGgmlRef(w, rows, cols, u, { type: 'Q4_K', blocksize: 128, perm });
    expect(Array.from(dequantizeGgmlRef('Q4_K', r.bytes))).toEqual(Array.from(r.values));
    expect(outputError(w, r.values, h, rows, cols)).toBeLessThan(outputError(w, dequantizeGgmlRef('Q4_K', quantizeGgmlRef('Q4_K', w)), h, rows, cols));
  });

  it('a lazy blocksize smaller than a super-block is rounded up to it; shapes that do not fit are refused', () => {
    const a = gptqGgmlRef(w, rows, cols, inv.u, { type: 'Q6_K', blocksize: 32 });
    const b = gptqGgmlRef(w, rows, cols, inv.u, { type: 'Q6_K', blocksize: 256 });
    expect(Buffer.compare(Buffer.from(a.bytes), Buffer.from(b.bytes))).toBe(0);
    const narrow = dampedInverseCholeskyRef(hessian(96, 256), 96, 0.01).u;
    expect(() => gptqGgmlRef(new Float32Array(96), 1, 96, narrow, { type: 'Q4_K', blocksize: 128 })).toThrow(/rows of 96 are not a multiple of the Q4_K block of 256/);
  });
});
