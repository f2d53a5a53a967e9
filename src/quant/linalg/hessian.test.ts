// HessianAccumulatorRef against a hand-worked case, a direct 2/T·XᵀX and GPTQ's incremental
// add_batch scaling (IST-DASLab gptq.py: H *= n/(n+t); n += t; H += (√(2/n)·x)ᵀ(√(2/n)·x)).
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import { HessianAccumulatorRef } from './hessian';
import { hessianOf, seededActivations } from './testing';

/** Float64 sums in another order: agreement to this relative error (of max |H|). */
const FLOAT64_REL_TOL = 1e-12;

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('HessianAccumulatorRef', () => {
  it('hand-worked: x = [[1, 2], [3, 4]] then [[1, 0]]', () => {
    const acc = new HessianAccumulatorRef(2);
    acc.add(new Float32Array([1, 2, 3, 4]), 2);
    // Σxᵀx = [[1+9, 2+12], [2+12, 4+16]] = [[10, 14], [14, 20]]; H = 2/2 · Σ.
    expect(acc.count).toBe(2);
    expect(Array.from(acc.hessian())).toEqual([10, 14, 14, 20]);
    expect(Array.from(acc.sumSquares())).toEqual([10, 20]);
    acc.add([1, 0], 1);
    // Σ = [[11, 14], [14, 20]], count 3: H = 2/3 · Σ.
    expect(acc.count).toBe(3);
    const h = acc.hessian();
    [11, 14, 14, 20].forEach((v, i) => expect(h[i]).toBeCloseTo((2 / 3) * v, 14));
    expect(Array.from(acc.sumSquares())).toEqual([11, 20]);
  });

  it('is all zeros before any token, and a 0-token chunk changes nothing', () => {
    const acc = new HessianAccumulatorRef(3);
    expect(Array.from(acc.hessian())).toEqual(new Array(9).fill(0));
    acc.add(new Float32Array(0), 0);
    expect(acc.count).toBe(0);
    expect(Array.from(acc.sumSquares())).toEqual([0, 0, 0]);
  });

  for (const cols of [37, 128]) {
    it(`equals 2/T·XᵀX and GPTQ's incremental scaling over chunks of 13, 29 and 7 tokens (cols ${cols})`, () => {
      const chunks = [13, 29, 7];
      const total = chunks.reduce((a, b) => a + b);
      const x = seededActivations(total, cols, cols);
      const acc = new HessianAccumulatorRef(cols);
      // GPTQ add_batch, one chunk at a time.
      const gptq = new Float64Array(cols * cols);
      let nsamples = 0;
      let at = 0;
      for (const t of chunks) {
        const chunk = x.subarray(at * cols, (at + t) * cols);
        acc.add(chunk, t);
        for (let i = 0; i < gptq.length; i++) gptq[i] *= nsamples / (nsamples + t);
        nsamples += t;
        const s = Math.sqrt(2 / nsamples);
        for (let r = 0; r < t; r++) {
          for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) gptq[i * cols + j] += s * chunk[r * cols + i] * (s * chunk[r * cols + j]);
        }
        at += t;
      }
      const h = acc.hessian();
      const direct = hessianOf(x, total, cols);
      expect(acc.count).toBe(total);
      expect(maxAbsDiff(h, direct) / maxAbs(direct)).toBeLessThan(FLOAT64_REL_TOL);
      expect(maxAbsDiff(h, gptq) / maxAbs(direct)).toBeLessThan(FLOAT64_REL_TOL);
      const ss = acc.sumSquares();
      for (let j = 0; j < cols; j++) {
        let s = 0;
        for (let t = 0; t < total; t++) s += x[t * cols + j] ** 2;
        expect(Math.abs(ss[j] - s)).toBeLessThanOrEqual(FLOAT64_REL_TOL * s);
      }
    });
  }

  it('rejects bad shapes with ShapeError', () => {
    expect(() => new HessianAccumulatorRef(0)).toThrow(ShapeError);
    const acc = new HessianAccumulatorRef(4);
    expect(() => acc.add(new Float32Array(10), 3)).toThrow('activations must hold tokens × cols = 3 × 4 = 12 values, got 10');
    expect(() => acc.add(new Float32Array(4), 1.5)).toThrow('tokens must be an integer ≥ 0, got 1.5');
  });
});
