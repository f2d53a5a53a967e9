// sparseGptRef: hand-worked 2×4 cases (unstructured and 2:4), upstream's mask rule reproduced
// (per-block counts; a naive non-lazy implementation of the same math), N:M invariants, exact
// zeros, dead columns, errors, and a lower output error ‖(W−Ŵ)Xᵀ‖ than magnitude pruning.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import { dampedInverseCholeskyRef } from './cholesky';
import { sparseGptRef, smallestInGroup, thresholdRank, zeroColumns, type SparsityPattern } from './sparsegpt';
import { hessianOf, magnitudePrune, magnitudePruneNm, outputError, seededActivations, seededNormal } from './testing';

/**
 * Lazy vs immediate updates differ only by float64 rounding, then the output's rounding to float32
 * (half an ulp, 3e-8 relative): values agree to this, relative to max(1, |w|).
 */
const LAZY_VS_NAIVE_TOL = 1e-7;
/** SparseGPT's output error must be at most this share of magnitude pruning's on the seeded layer. */
const MAX_ERROR_RATIO_VS_MAGNITUDE = 0.8;

// U: an upper factor with dyadic entries so the hand-worked numbers are exact in float.
const U4 = new Float64Array([1, 0.5, 0, 0.25, 0, 2, 0.5, 0, 0, 0, 1, 0.5, 0, 0, 0, 0.5]);
const W24 = new Float32Array([4, 1, -2, 8, 0.75, 3, 1, -1]);

/**
 * The same math without the lazy batch update: every err updates the whole rest of its row at
 * once (W[r, j:] −= err · U[j, j:]); masks chosen from the current W exactly as upstream.
 */
function naiveSparseGpt(w: Float32Array, rows: number, cols: number, u: ArrayLike<number>, pattern: SparsityPattern, blocksize: number) {
  const W = Float64Array.from(w);
  const mask = new Uint8Array(rows * cols);
  for (let i1 = 0; i1 < cols; i1 += blocksize) {
    const count = Math.min(blocksize, cols - i1);
    if (pattern.kind === 'unstructured') {
      const score = (r: number, i: number) => W[r * cols + i1 + i] ** 2 / u[(i1 + i) * (cols + 1)] ** 2;
      const all: number[] = [];
      for (let r = 0; r < rows; r++) for (let i = 0; i < count; i++) all.push(score(r, i));
      const thresh = all.sort((a, b) => a - b)[Math.floor(rows * count * pattern.sparsity)];
      for (let r = 0; r < rows; r++) for (let i = 0; i < count; i++) if (score(r, i) <= thresh) mask[r * cols + i1 + i] = 1;
    }
    for (let i = 0; i < count; i++) {
      const c = i1 + i;
      for (let r = 0; r < rows; r++) {
        if (pattern.kind === 'n:m' && i % pattern.m === 0) {
          const s = Array.from({ length: pattern.m }, (_, t) => W[r * cols + c + t] ** 2 / u[(c + t) * (cols + 1)] ** 2);
          for (const t of smallestInGroup(s, pattern.m - pattern.n)) mask[r * cols + c + t] = 1;
        }
        if (!mask[r * cols + c]) continue;
        const err = W[r * cols + c] / u[c * (cols + 1)];
        for (let j = c; j < cols; j++) W[r * cols + j] -= err * u[c * cols + j];
        W[r * cols + c] = 0;
      }
    }
  }
  return { values: W, mask };
}

/** A seeded layer: W [rows][cols] ~ N(0, 1), correlated calibration X [tokens][cols], its U. */
function seededLayer(rows: number, cols: number, tokens: number, seed: number) {
  const x = seededActivations(tokens, cols, seed);
  const w = seededNormal(rows * cols, seed + 1);
  const { u } = dampedInverseCholeskyRef(hessianOf(x, tokens, cols), cols);
  return { x, w, u };
}

describe('sparseGptRef: hand-worked 2 × 4', () => {
  it('unstructured sparsity 0.25, blocksize 2', () => {
    // Block 0 (cols 0–1), scores w²/U_jj²: row 0: 16/1 = 16, 1/4; row 1: (3/4)²/1 = 9/16, 9/4.
    // Sorted 1/4, 9/16, 9/4, 16; k = floor(4 · 0.25) = 1 → thresh 9/16: prune W01 and W10.
    //   Row 0: col 1 err = 1/2; lazy: W0[2:] −= 1/2 · U[1][2:] = (1/4, 0) → (−9/4, 8).
    //   Row 1: col 0 err = 3/4; W11 −= 3/4 · U01 = 3/8 → 21/8; lazy: W1[2:] −= 3/4 · (0, 1/4) → (1, −19/16).
    // Block 1 (cols 2–3), scores: row 0: 81/16, 64/(1/4) = 256; row 1: 1, (361/256)/(1/4) = 361/64.
    // Sorted 1, 81/16, 361/64, 256; thresh = 81/16: prune W02 and W12.
    //   Row 0: err = −9/4; W03 −= −9/4 · 1/2 → 73/8.   Row 1: err = 1; W13 −= 1/2 → −27/16.
    const r = sparseGptRef(W24, 2, 4, U4, { kind: 'unstructured', sparsity: 0.25 }, 2);
    expect(Array.from(r.values)).toEqual([4, 0, 0, 73 / 8, 0, 21 / 8, 0, -27 / 16]);
    expect(Array.from(r.mask)).toEqual([0, 1, 1, 0, 1, 0, 1, 0]);
    expect(r.zeros).toBe(4);
  });

  it('upstream prunes floor(numel·sparsity) + 1 per block: sparsity 0.5 prunes 3 of 4', () => {
    // Block 0: thresh = sorted[floor(4 · 0.5)] = 9/4, so 1/4, 9/16 and 9/4 all go.
    const r = sparseGptRef(W24, 2, 4, U4, { kind: 'unstructured', sparsity: 0.5 }, 2);
    expect(Array.from(r.mask.subarray(0, 2))).toEqual([0, 1]);
    expect(Array.from(r.mask.subarray(4, 6))).toEqual([1, 1]);
    expect(r.zeros).toBe(6);
  });

  it('2:4, blocksize 4', () => {
    // Row 0 group scores (16, 1/4, 4, 256): prune cols 1 and 2. Row 1 (9/16, 9/4, 1, 4): cols 0 and 2.
    //   Row 0: col 1 err = 1/2 → W02 −= 1/4 → −9/4, W03 −= 1/8·... (U13 = 0) → 8; col 2 err = −9/4 → W03 = 8 + 9/8 = 73/8.
    //   Row 1: col 0 err = 3/4 → W11 = 3 − 3/8 = 21/8, W13 = −1 − 3/16 = −19/16; col 2 err = 1 → W13 = −27/16.
    const r = sparseGptRef(W24, 2, 4, U4, { kind: 'n:m', n: 2, m: 4 }, 4);
    expect(Array.from(r.values)).toEqual([4, 0, 0, 73 / 8, 0, 21 / 8, 0, -27 / 16]);
    expect(Array.from(r.mask)).toEqual([0, 1, 1, 0, 1, 0, 1, 0]);
    expect(r.zeros).toBe(4);
  });

  it('with U = I it is magnitude pruning within each block and leaves kept weights alone', () => {
    const eye = new Float64Array(16);
    for (let i = 0; i < 4; i++) eye[i * 5] = 1;
    const r = sparseGptRef(W24, 2, 4, eye, { kind: 'n:m', n: 2, m: 4 });
    expect(Array.from(r.values)).toEqual([4, 0, 0, 8, 0, 3, 0, -1]);
  });
});

describe('sparseGptRef: upstream mask rule on seeded layers', () => {
  const rows = 24;
  const cols = 96;
  const { w, u } = seededLayer(rows, cols, 160, 11);

  for (const [sparsity, blocksize] of [[0.5, 40], [0.3, 32], [0.75, 128]] as const) {
    it(`unstructured ${sparsity}, blocksize ${blocksize}: floor(rows·count·s) + 1 pruned per block; equals the naive update`, () => {
      const r = sparseGptRef(w, rows, cols, u, { kind: 'unstructured', sparsity }, blocksize);
      let total = 0;
      for (let i1 = 0; i1 < cols; i1 += blocksize) {
        const count = Math.min(blocksize, cols - i1);
        let pruned = 0;
        for (let rr = 0; rr < rows; rr++) for (let i = 0; i < count; i++) pruned += r.mask[rr * cols + i1 + i];
        expect(pruned, `block at ${i1}`).toBe(thresholdRank(rows * count, sparsity) + 1);
        total += pruned;
      }
      expect(r.zeros).toBe(total);
      const naive = naiveSparseGpt(w, rows, cols, u, { kind: 'unstructured', sparsity }, blocksize);
      expect(Array.from(r.mask)).toEqual(Array.from(naive.mask));
      for (let i = 0; i < w.length; i++) {
        expect(Math.abs(r.values[i] - naive.values[i])).toBeLessThanOrEqual(LAZY_VS_NAIVE_TOL * Math.max(1, Math.abs(naive.values[i])));
        if (r.mask[i]) expect(r.values[i]).toBe(0);
        else expect(r.values[i]).not.toBe(0);
      }
    });
  }

  for (const [n, m] of [[2, 4], [4, 8]] as const) {
    it(`${n}:${m}: every group of ${m} holds exactly ${m - n} exact zeros; equals the naive update`, () => {
      const pattern: SparsityPattern = { kind: 'n:m', n, m };
      const r = sparseGptRef(w, rows, cols, u, pattern, 32);
      for (let i = 0; i < rows * cols; i += m) {
        let z = 0;
        for (let t = 0; t < m; t++) {
          if (r.mask[i + t]) expect(r.values[i + t]).toBe(0);
          z += r.mask[i + t];
        }
        expect(z, `group at ${i}`).toBe(m - n);
      }
      expect(r.zeros).toBe((rows * cols * (m - n)) / m);
      const naive = naiveSparseGpt(w, rows, cols, u, pattern, 32);
      expect(Array.from(r.mask)).toEqual(Array.from(naive.mask));
      for (let i = 0; i < w.length; i++) expect(Math.abs(r.values[i] - naive.values[i])).toBeLessThanOrEqual(LAZY_VS_NAIVE_TOL * Math.max(1, Math.abs(naive.values[i])));
    });
  }

  it('dead columns (zeroed by the caller) stay zero and are pruned', () => {
    const x = seededActivations(160, cols, 11);
    for (let t = 0; t < 160; t++) x[t * cols + 5] = x[t * cols + 70] = 0;
    const ic = dampedInverseCholeskyRef(hessianOf(x, 160, cols), cols);
    expect(ic.dead).toEqual([5, 70]);
    const wd = w.slice();
    zeroColumns(wd, rows, cols, ic.dead);
    const r = sparseGptRef(wd, rows, cols, ic.u, { kind: 'unstructured', sparsity: 0.5 }, 32);
    for (let rr = 0; rr < rows; rr++) {
      for (const c of ic.dead) {
        expect(r.values[rr * cols + c]).toBe(0);
        expect(r.mask[rr * cols + c]).toBe(1);
      }
    }
  });
});

describe('sparseGptRef beats magnitude pruning on ‖(W − Ŵ)Xᵀ‖', () => {
  const rows = 32;
  const cols = 64;
  const tokens = 256;
  const { x, w, u } = seededLayer(rows, cols, tokens, 21);

  it(`unstructured 0.5: error ≤ ${MAX_ERROR_RATIO_VS_MAGNITUDE} × magnitude's at the same number of zeros`, () => {
    const r = sparseGptRef(w, rows, cols, u, { kind: 'unstructured', sparsity: 0.5 }, 32);
    const sgpt = outputError(w, r.values, rows, cols, x, tokens);
    const mag = outputError(w, magnitudePrune(w, r.zeros), rows, cols, x, tokens);
    console.log(`unstructured 0.5: SparseGPT ${sgpt.toFixed(2)} vs magnitude ${mag.toFixed(2)} (ratio ${(sgpt / mag).toFixed(3)})`);
    expect(sgpt / mag).toBeLessThan(MAX_ERROR_RATIO_VS_MAGNITUDE);
  });

  it(`2:4: error ≤ ${MAX_ERROR_RATIO_VS_MAGNITUDE} × magnitude 2:4's`, () => {
    const r = sparseGptRef(w, rows, cols, u, { kind: 'n:m', n: 2, m: 4 });
    const sgpt = outputError(w, r.values, rows, cols, x, tokens);
    const mag = outputError(w, magnitudePruneNm(w, rows, cols, 2, 4), rows, cols, x, tokens);
    console.log(`2:4: SparseGPT ${sgpt.toFixed(2)} vs magnitude ${mag.toFixed(2)} (ratio ${(sgpt / mag).toFixed(3)})`);
    expect(sgpt / mag).toBeLessThan(MAX_ERROR_RATIO_VS_MAGNITUDE);
  });
});

describe('sparseGptRef errors', () => {
  const u = new Float64Array([1, 0, 0, 1]);
  it('rejects bad shapes and patterns with ShapeError', () => {
    const w = new Float32Array(4);
    expect(() => sparseGptRef(new Float32Array(3), 2, 2, u, { kind: 'unstructured', sparsity: 0.5 })).toThrow('W must hold rows × cols = 2 × 2 = 4 values, got 3');
    expect(() => sparseGptRef(w, 2, 2, new Float64Array(3), { kind: 'unstructured', sparsity: 0.5 })).toThrow('U must hold cols × cols = 4 values, got 3');
    expect(() => sparseGptRef(w, 2, 2, u, { kind: 'unstructured', sparsity: 1 })).toThrow('unstructured sparsity must be in [0, 1), got 1');
    expect(() => sparseGptRef(w, 2, 2, u, { kind: 'n:m', n: 2, m: 4 })).toThrow('N:M 2:4 needs cols divisible by 4, got 2');
    expect(() => sparseGptRef(new Float32Array(8), 1, 8, new Float64Array(64).map((_, i) => (i % 9 === 0 ? 1 : 0)), { kind: 'n:m', n: 2, m: 4 }, 6)).toThrow(
      'N:M 2:4 needs a blocksize divisible by 4, got 6',
    );
    expect(() => sparseGptRef(w, 2, 2, u, { kind: 'n:m', n: 4, m: 4 })).toThrow('N:M needs an integer n (kept per group) in [1, m), got 4:4');
    expect(() => sparseGptRef(w, 2, 2, new Float64Array([1, 0, 0, 0]), { kind: 'unstructured', sparsity: 0.5 })).toThrow(
      'U must have a positive finite diagonal, got U[1][1] = 0',
    );
    expect(() => sparseGptRef(new Float32Array([0, NaN, 0, 0]), 2, 2, u, { kind: 'unstructured', sparsity: 0.5 })).toThrow(ShapeError);
  });
});
