// dampedInverseCholeskyRef: a hand-worked 3×3 (exact L, Hinv and U), a dead column (closed form),
// seeded SPD matrices (UᵀU(H + damp·I) = I), indefinite matrices that need raised damping, errors.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../core/errors';
import { choleskyInverseRef, choleskyLowerRef, dampedInverseCholeskyRef, MAX_DAMP_RAISES } from './cholesky';
import { seededSpd } from './testing';

/** Float64 round-off allowed in hand-worked numbers and identities (absolute, entries of order 1). */
const FLOAT64_TOL = 1e-12;
/** ‖UᵀU(H + damp·I) − I‖_max for the seeded matrices (condition numbers up to ~400). */
const IDENTITY_TOL = 1e-10;

function expectClose(got: ArrayLike<number>, want: number[], tol = FLOAT64_TOL): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got[i] - w), `entry ${i}: got ${got[i]}, want ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w))));
}

/** max |UᵀU·A − I| with A = H (lower triangle mirrored) + damp on the diagonal, dead H_ii = 1. */
function identityResidual(u: Float64Array, h: ArrayLike<number>, n: number, damp: number, dead: number[]): number {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = h[i * n + j];
  for (const i of dead) a[i * n + i] = 1;
  for (let i = 0; i < n; i++) a[i * n + i] += damp;
  let worst = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) {
        let uu = 0; // (UᵀU)[i][k]
        for (let t = 0; t <= Math.min(i, k); t++) uu += u[t * n + i] * u[t * n + k];
        s += uu * a[k * n + j];
      }
      worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return worst;
}

function expectUpper(u: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    expect(u[i * n + i]).toBeGreaterThan(0);
    for (let j = 0; j < i; j++) expect(u[i * n + j]).toBe(0);
  }
}

describe('dampedInverseCholeskyRef', () => {
  // H = R Rᵀ with R = [[2, 1, 1], [0, 1, 1], [0, 0, 1]], so U = R⁻¹ (percdamp 0: no damping).
  const H3 = [6, 2, 1, 2, 2, 1, 1, 1, 1];

  it('hand-worked 3×3: L, Hinv and U', () => {
    // L: l00 = √6, l10 = 2/√6, l20 = 1/√6; l11 = √(2 − 4/6) = √(4/3); l21 = (1 − 2/6)/√(4/3) = 1/√3;
    // l22 = √(1 − 1/6 − 1/3) = √(1/2).
    const l = choleskyLowerRef(H3, 3)!;
    expectClose(l, [Math.sqrt(6), 0, 0, 2 / Math.sqrt(6), Math.sqrt(4 / 3), 0, 1 / Math.sqrt(6), 1 / Math.sqrt(3), Math.sqrt(0.5)]);
    // Hinv = (LLᵀ)⁻¹ = H⁻¹ = UᵀU: [[1/4, −1/4, 0], [−1/4, 5/4, −1], [0, −1, 2]] (H·Hinv = I row by row).
    expectClose(choleskyInverseRef(l, 3), [0.25, -0.25, 0, -0.25, 1.25, -1, 0, -1, 2]);
    // U = upper Cholesky of Hinv: u00 = √(1/4) = 1/2, u01 = −(1/4)/(1/2) = −1/2, u02 = 0;
    // u11 = √(5/4 − 1/4) = 1, u12 = (−1 − 0)/1 = −1; u22 = √(2 − 0 − 1) = 1.
    const r = dampedInverseCholeskyRef(H3, 3, 0);
    expectClose(r.u, [0.5, -0.5, 0, 0, 1, -1, 0, 0, 1]);
    expect(r).toMatchObject({ dead: [], damp: 0, dampRaised: false });
  });

  it('hand-worked 3×3 with the default percdamp 0.01: damp = 0.01 · mean(6, 2, 1) = 0.03', () => {
    const r = dampedInverseCholeskyRef(H3, 3);
    expect(r.damp).toBeCloseTo(0.03, 15);
    expect(r.dampRaised).toBe(false);
    expectUpper(r.u, 3);
    expect(identityResidual(r.u, H3, 3, r.damp, [])).toBeLessThan(FLOAT64_TOL);
  });

  it('a dead column: H_11 = 0 → 1, damp = 0.01 · mean(4, 1, 5) = 1/30, U in closed form', () => {
    const h = [4, 0, 2, 0, 0, 0, 2, 0, 5];
    const r = dampedInverseCholeskyRef(h, 3);
    expect(r.dead).toEqual([1]);
    expect(r.damp).toBeCloseTo(1 / 30, 15);
    // Columns 0 and 2 form [[a, b], [b, c]] = [[4 + 1/30, 2], [2, 5 + 1/30]], det = ac − b²; its
    // inverse's upper factor is [[√(c/det), −b/√(c·det)], [0, 1/√c]]. Column 1 alone: 1/√(1 + 1/30).
    const a = 4 + 1 / 30;
    const b = 2;
    const c = 5 + 1 / 30;
    const det = a * c - b * b;
    expectClose(r.u, [Math.sqrt(c / det), 0, -b / Math.sqrt(c * det), 0, 1 / Math.sqrt(1 + 1 / 30), 0, 0, 0, 1 / Math.sqrt(c)]);
  });

  for (const n of [5, 64, 130]) {
    it(`seeded SPD n = ${n}: U upper with a positive diagonal and UᵀU(H + damp·I) = I`, () => {
      const h = seededSpd(n, n + 1);
      const r = dampedInverseCholeskyRef(h, n);
      expectUpper(r.u, n);
      expect(r.dampRaised).toBe(false);
      let mean = 0;
      for (let i = 0; i < n; i++) mean += h[i * n + i] / n;
      expect(r.damp).toBeCloseTo(0.01 * mean, 12);
      expect(identityResidual(r.u, h, n, r.damp, [])).toBeLessThan(IDENTITY_TOL);
    });
  }

  it('reads only the lower triangle of H', () => {
    const h = seededSpd(12, 3);
    const skewed = Float64Array.from(h);
    for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) skewed[i * 12 + j] += 1000;
    expect(Array.from(dampedInverseCholeskyRef(skewed, 12).u)).toEqual(Array.from(dampedInverseCholeskyRef(h, 12).u));
  });

  it('raises the damping ×10 until [[1, 1.5], [1.5, 1]] (eigenvalues −0.5, 2.5) factorises', () => {
    // damp 0.01 and 0.1 leave an eigenvalue < 0; damp 1 gives 0.5 > 0.
    const h = [1, 1.5, 1.5, 1];
    const r = dampedInverseCholeskyRef(h, 2);
    expect(r.dampRaised).toBe(true);
    expect(r.damp).toBeCloseTo(1, 14);
    expect(r.u.every(Number.isFinite)).toBe(true);
    expect(identityResidual(r.u, h, 2, r.damp, [])).toBeLessThan(FLOAT64_TOL);
  });

  it('raises the damping for a seeded indefinite 64×64 (SPD − 0.2·mean(diag)·I)', () => {
    const n = 64;
    const h = seededSpd(n, n + 1);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += h[i * n + i] / n;
    for (let i = 0; i < n; i++) h[i * n + i] -= 0.2 * mean;
    // λ_min(SPD) ≈ 0.02·mean, so damping 0.008·mean and 0.08·mean fail and 0.8·mean works.
    const r = dampedInverseCholeskyRef(h, n);
    expect(r.dampRaised).toBe(true);
    expect(r.damp).toBeCloseTo(0.01 * 0.8 * mean * 100, 10);
    expect(identityResidual(r.u, h, n, r.damp, [])).toBeLessThan(IDENTITY_TOL);
  });

  it(`gives up with ShapeError after ${MAX_DAMP_RAISES} raises`, () => {
    expect(() => dampedInverseCholeskyRef([1, 1000, 1000, 1], 2)).toThrow(
      'H is not positive definite even with damping 100 (4 raises ×10 from percdamp 0.01); check the calibration statistics',
    );
  });

  it('starts raising from 0.01 · mean(diag) when percdamp is 0', () => {
    const r = dampedInverseCholeskyRef([1, 1, 1, 1], 2, 0);
    expect(r.dampRaised).toBe(true);
    expect(r.damp).toBeCloseTo(0.01, 15);
  });

  it('rejects bad input with ShapeError', () => {
    expect(() => dampedInverseCholeskyRef([1, 0, 0], 2)).toThrow('H must hold n × n = 4 values, got 3');
    expect(() => dampedInverseCholeskyRef([1, NaN, 0, 1], 2)).toThrow('H has a non-finite value (NaN) at [0][1]');
    expect(() => dampedInverseCholeskyRef([1, 0, 0, 1], 2, -1)).toThrow('percdamp must be a finite number ≥ 0, got -1');
    expect(() => dampedInverseCholeskyRef([-1, 0, 0, -1], 2)).toThrow(ShapeError);
    expect(() => dampedInverseCholeskyRef([], 0)).toThrow('n must be an integer ≥ 1, got 0');
  });
});
