// The scale searches behind ggml's k-quant reference quantizers (docs/FORMATS.md §4.5):
// make_qx_quants (symmetric, Q6_K; with importance weights also Q3_K, Q4_0, Q5_0), make_q3_quants
// (symmetric with coordinate descent, Q3_K) and make_qkx2_quants (asymmetric scale + min,
// Q2_K/Q4_K/Q5_K, and as make_qkx3_quants the importance-weighted ones), from ggml-quants.c; the
// importance-only search is in importance-search.ts.
// Every float operation is rounded to float32 in upstream order (`f`), which is what makes the
// codes match.
import { f, GROUP_MAX_EPS, nearestInt } from './ggml-math';

export const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** The element of largest magnitude with its sign (first wins ties); 0 if all are 0. */
function signedAbsMax(x: Float32Array): { max: number; amax: number } {
  let max = 0;
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    const ax = Math.abs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  return { max, amax };
}

/**
 * make_qx_quants with rmse_type 1: weighted least squares with weights `qw` (llama.cpp's
 * quant_weights) or, without them, x². Writes codes `l + nmax` into L and returns the scale.
 */
export function makeQxQuants(nmax: number, x: Float32Array, L: Int8Array, qw?: Float32Array): number {
  const n = x.length;
  const { max, amax } = signedAbsMax(x);
  if (amax < GROUP_MAX_EPS) {
    L.fill(0);
    return 0;
  }
  let iscale = f(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(f(iscale * x[i])), -nmax, nmax - 1);
    L[i] = l + nmax;
    const w = qw ? qw[i] : f(x[i] * x[i]);
    sumlx = f(sumlx + f(f(w * x[i]) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  let scale = suml2 ? f(sumlx / suml2) : 0;
  let best = f(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = f(-f(nmax + f(f(0.1) * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(f(iscale * x[i])), -nmax, nmax - 1);
      const w = qw ? qw[i] : f(x[i] * x[i]);
      sumlx = f(sumlx + f(f(w * x[i]) * l));
      suml2 = f(suml2 + f(f(w * l) * l));
    }
    if (suml2 > 0 && f(sumlx * sumlx) > f(best * suml2)) {
      for (let i = 0; i < n; i++) L[i] = nmax + clamp(nearestInt(f(iscale * x[i])), -nmax, nmax - 1);
      scale = f(sumlx / suml2);
      best = f(scale * sumlx);
    }
  }
  return scale;
}

/**
 * make_q3_quants with do_rmse: start from the max-based codes, then up to 5 passes of
 * coordinate descent on the weighted (w = x²) least-squares score. Codes `l + nmax` go into L.
 */
export function makeQ3Quants(nmax: number, x: Float32Array, L: Int8Array): number {
  const n = x.length;
  const { max, amax } = signedAbsMax(x);
  if (amax < GROUP_MAX_EPS) {
    L.fill(0);
    return 0;
  }
  const iscale = f(-nmax / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = clamp(nearestInt(f(iscale * x[i])), -nmax, nmax - 1);
    L[i] = l;
    const w = f(x[i] * x[i]);
    sumlx = f(sumlx + f(f(w * x[i]) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const w = f(x[i] * x[i]);
      let slx = f(sumlx - f(f(w * x[i]) * L[i]));
      if (slx > 0) {
        let sl2 = f(suml2 - f(f(w * L[i]) * L[i]));
        const newL = clamp(nearestInt(f(f(x[i] * sl2) / slx)), -nmax, nmax - 1);
        if (newL !== L[i]) {
          slx = f(slx + f(f(w * x[i]) * newL));
          sl2 = f(sl2 + f(f(w * newL) * newL));
          if (sl2 > 0 && f(f(slx * slx) * suml2) > f(f(sumlx * sumlx) * sl2)) {
            L[i] = newL;
            sumlx = slx;
            suml2 = sl2;
            changed++;
          }
        }
      }
    }
    if (!changed) break;
  }
  for (let i = 0; i < n; i++) L[i] += nmax;
  return suml2 > 0 ? f(sumlx / suml2) : 0;
}

export interface ScaleMin {
  scale: number;
  /** −(offset), ≥ 0 for the usual case: x ≈ scale·q − min. */
  min: number;
}

/**
 * make_qkx2_quants: asymmetric codes in [0, nmax] for x ≈ scale·L + m (m ≤ 0), trying
 * nstep+1 grid scales and keeping the weighted least-squares fit with the lowest error
 * (absolute error if useMad, else squared). Note that upstream updates `min` as it goes, so
 * later candidates are quantized against the best offset found so far.
 */
export function makeQkx2Quants(
  nmax: number,
  x: Float32Array,
  weights: Float32Array,
  L: Uint8Array,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
  useMad: boolean,
): ScaleMin {
  const n = x.length;
  let min = x[0];
  let max = x[0];
  let sumW = weights[0];
  let sumX = f(sumW * x[0]);
  for (let i = 1; i < n; i++) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const w = weights[i];
    sumW = f(sumW + w);
    sumX = f(sumX + f(w * x[i]));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, 0, n);
    return { scale: 0, min: -min };
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    L[i] = clamp(nearestInt(f(iscale * f(x[i] - min))), 0, nmax);
    let diff = f(f(f(scale * L[i]) + min) - x[i]);
    diff = useMad ? Math.abs(diff) : f(diff * diff);
    bestError = f(bestError + f(weights[i] * diff));
  }
  if (nstep < 1) return { scale, min: -min };
  for (let is = 0; is <= nstep; is++) {
    iscale = f(f(f(rmin + f(rdelta * is)) + nmax) / f(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = clamp(nearestInt(f(iscale * f(x[i] - min))), 0, nmax);
      Laux[i] = l;
      const w = weights[i];
      sumL = f(sumL + f(w * l));
      sumL2 = f(sumL2 + f(f(w * l) * l));
      sumXL = f(sumXL + f(f(w * l) * x[i]));
    }
    const D = f(f(sumW * sumL2) - f(sumL * sumL));
    if (D > 0) {
      let thisScale = f(f(f(sumW * sumXL) - f(sumX * sumL)) / D);
      let thisMin = f(f(f(sumL2 * sumX) - f(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = f(sumXL / sumL2);
      }
      let curError = 0;
      for (let i = 0; i < n; i++) {
        let diff = f(f(f(thisScale * Laux[i]) + thisMin) - x[i]);
        diff = useMad ? Math.abs(diff) : f(diff * diff);
        curError = f(curError + f(weights[i] * diff));
      }
      if (curError < bestError) {
        L.set(Laux.subarray(0, n));
        bestError = curError;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}
