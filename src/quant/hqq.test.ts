// The HQQ reference: a hand-worked group, the solver's promise (no group ends with a larger
// Σ|w − ŵ| than its min/max start, and on heavy-tailed groups it moves z and lowers it), the lp
// proximal step, integer zero points, the packed tensor's float zero points, and bad input.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../core/errors';
import { seededWeights } from '../kernels/quant/rtn-compare';
import { HQQ_DEFAULTS } from '../core/recipe';
import { type HqqOptions, hqqCode, hqqGroupRef, hqqRef, hqqStep, hqqTensor, roundHalfEven, shrinkLp } from './hqq';
import { dequantizeRef } from './rtn';

const fround = Math.fround;
const OPTS: HqqOptions = { bits: 4, group: 64, zeroPoint: 'float', ...HQQ_DEFAULTS };

function groupL1(w: Float32Array, invScale: number, scale: number, zero: number, bits: number): number {
  let err = 0;
  for (const v of w) err += Math.abs(v - (hqqCode(v, invScale, zero, bits) - zero) * scale);
  return err;
}

describe('HQQ reference', () => {
  it('rounds half to even, as torch.round and WGSL round()', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, -2, 2, 3]);
  });

  it('shrinks by |d|^(p−1)/β and keeps the sign; small residuals become 0', () => {
    // |d| = 2: 2 − 2^(−0.3)/10 = 2 − 0.08123 = 1.91877.
    expect(shrinkLp(2, 10, 0.7)).toBeCloseTo(2 - Math.pow(2, -0.3) / 10, 6);
    expect(shrinkLp(-2, 10, 0.7)).toBeCloseTo(-(2 - Math.pow(2, -0.3) / 10), 6);
    expect(shrinkLp(0.01, 10, 0.7)).toBe(0); // 0.01^(−0.3)/10 = 0.398 > 0.01
    expect(shrinkLp(0, 10, 0.7)).toBe(0);
    expect(shrinkLp(1, 10, 1)).toBeCloseTo(0.9, 6); // p = 1: soft threshold at 1/β
  });

  it('a hand-worked 2-bit group: the min/max start and one solver step', () => {
    // w = [−0.5, −0.2, 0.1, 0.5]: range 1, 1/s = 3, s = 1/3, z = −min/s = 1.5.
    const w = Float32Array.of(-0.5, -0.2, 0.1, 0.5);
    const start = hqqGroupRef(w, 0, 4, { ...OPTS, bits: 2, iterations: 0 });
    expect(start).toEqual({ invScale: 3, scale: fround(1 / 3), zero: 1.5, iterations: 0 });
    // w/s + z = [0, 0.9, 1.8, 3] → q = [0, 1, 2, 3]; ŵ = (q − 1.5)/3 = [−0.5, −1/6, 1/6, 0.5]:
    // |d| = [0, 1/30, 1/15, 0], Σ = 0.1. Each |d|^(−0.3)/10 > |d|, so e = 0 and the next z is
    // mean(q − w/s) = mean(1.5, 1.6, 1.7, 1.5) = 1.575.
    const step = hqqStep(w, 0, 4, start, 10, { bits: 2, lpNorm: 0.7 });
    expect(step.err).toBeCloseTo(0.1, 6);
    expect(step.next).toBeCloseTo(1.575, 6);
  });

  it('a group with an outlier: the solver moves z away from min/max and lowers Σ|w − ŵ|', () => {
    // Seven values near 0.1 and one at 1: min/max spends the grid on the outlier; the lp solver
    // shifts z so the cluster sits on a grid point.
    const w = Float32Array.of(0.11, 0.12, 0.13, 0.12, 0.11, 0.13, 0.12, 1);
    const start = hqqGroupRef(w, 0, 8, { ...OPTS, bits: 2, iterations: 0 });
    const solved = hqqGroupRef(w, 0, 8, { ...OPTS, bits: 2 });
    expect(solved.zero).not.toBe(start.zero);
    expect(solved.iterations).toBeGreaterThan(1);
    expect(groupL1(w, solved.invScale, solved.scale, solved.zero, 2)).toBeLessThan(groupL1(w, start.invScale, start.scale, start.zero, 2));
  });

  it('never ends a group worse than its min/max start, and lowers heavy-tailed groups', () => {
    const w = seededWeights(64 * 256, 11);
    let moved = 0;
    let lowered = 0;
    for (let g = 0; g < w.length / 64; g++) {
      const group = w.subarray(g * 64, (g + 1) * 64);
      const start = hqqGroupRef(group, 0, 64, { ...OPTS, iterations: 0 });
      const solved = hqqGroupRef(group, 0, 64, OPTS);
      const before = groupL1(group, start.invScale, start.scale, start.zero, 4);
      const after = groupL1(group, solved.invScale, solved.scale, solved.zero, 4);
      expect(after).toBeLessThanOrEqual(before * (1 + 1e-6));
      if (solved.zero !== start.zero) moved++;
      if (after < before * 0.999) lowered++;
    }
    expect(moved / 256).toBeGreaterThan(0.5);
    expect(lowered / 256).toBeGreaterThan(0.5);
  });

  it('integer zero points are grid integers, and the codes follow them', () => {
    const w = seededWeights(16 * 128, 5);
    const r = hqqRef(w, 16, 128, { ...OPTS, zeroPoint: 'integer', group: 32 });
    expect(Array.from(r.zeros).every((z) => Number.isInteger(z) && z >= 0 && z <= 15)).toBe(true);
    let zeros = 0;
    for (let i = 0; i < w.length; i++) {
      const g = Math.floor(i / 32);
      expect(r.values[i]).toBe(fround(fround(r.codes[i] - r.zeros[g]) * r.scales[g]));
      // An exact zero (a pruned weight) stays exactly zero: its code is the zero point.
      if (w[i] === 0) {
        zeros++;
        expect(Math.abs(r.values[i])).toBe(0);
      }
    }
    expect(zeros).toBeGreaterThan(0);
  });

  it('packs float zero points that dequantize to the solver\'s Ŵ; integer ones pack as codes', () => {
    const w = seededWeights(8 * 200, 9);
    const r = hqqRef(w, 8, 200, OPTS);
    const t = hqqTensor(r, 8, 200, OPTS, w, r.values);
    expect(t.floatZeroPoints).toBe(true);
    expect(t.zeroPointValues).toEqual(r.zeros);
    expect(dequantizeRef(t)).toEqual(r.values);
    const ri = hqqRef(w, 8, 200, { ...OPTS, zeroPoint: 'integer' });
    const ti = hqqTensor(ri, 8, 200, { ...OPTS, zeroPoint: 'integer' }, w, ri.values);
    expect(ti.floatZeroPoints).toBeUndefined();
    expect(Array.from(ti.zeroPoints)).toEqual(Array.from(ri.zeros));
    expect(dequantizeRef(ti)).toEqual(ri.values);
  });

  it('refuses a non-finite weight, naming its row and column', () => {
    const w = seededWeights(4 * 64, 1);
    w[3 * 64 + 7] = Infinity;
    expect(() => hqqRef(w, 4, 64, OPTS)).toThrow(ShapeError);
    expect(() => hqqRef(w, 4, 64, OPTS)).toThrow(/row 3, column 7/);
  });
});
