// The two scale searches that only llama.cpp's importance-weighted quantizers use
// (ggml-quants.c make_qkx3_quants and make_qp_quants; the callers are in
// importance-quantize.ts). Like kquant-search.ts, every float operation is rounded to float32
// in upstream order (`f`) so that the codes match llama-quantize's bit for bit.
import { f, GROUP_MAX_EPS, nearestInt } from './ggml-math';
import { clamp, type ScaleMin } from './kquant-search';

/**
 * make_qkx3_quants (use_mad false): asymmetric codes in [0, nmax] for x ≈ scale·L + m, m ≤ 0,
 * the weighted least-squares fit over nstep+1 grid scales with the lowest weighted squared
 * error. As in make_qkx2_quants, later candidates are quantized against the best offset so far.
 */
export function makeQkx3Quants(
  nmax: number,
  x: Float32Array,
  weights: Float32Array,
  L: Uint8Array,
  Laux: Uint8Array,
  rmin: number,
  rdelta: number,
  nstep: number,
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
  if (max <= min) {
    L.fill(0, 0, n);
    return { scale: 0, min: -min };
  }
  let iscale = f(nmax / f(max - min));
  let scale = f(1 / iscale);
  let best = 0;
  for (let i = 0; i < n; i++) {
    L[i] = clamp(nearestInt(f(iscale * f(x[i] - min))), 0, nmax);
    const diff = f(f(f(scale * L[i]) + min) - x[i]);
    best = f(best + f(weights[i] * f(diff * diff)));
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
      let err = 0;
      for (let i = 0; i < n; i++) {
        const diff = f(f(f(thisScale * Laux[i]) + thisMin) - x[i]);
        err = f(err + f(weights[i] * f(diff * diff)));
      }
      if (err < best) {
        L.set(Laux.subarray(0, n));
        best = err;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return { scale, min: -min };
}

/**
 * make_qp_quants: codes in [0, nmax] (stored as uint8, as upstream) for non-negative x ≈ d·L —
 * the super-block scale of sub-block scales or mins — weighted by `qw`; a 9-point grid around
 * nmax/max, then up to 5 passes of coordinate descent. Returns d.
 */
export function makeQpQuants(nmax: number, x: Float32Array, L: Uint8Array, qw: Float32Array): number {
  const n = x.length;
  let max = 0;
  for (let i = 0; i < n; i++) max = max > x[i] ? max : x[i];
  if (max < GROUP_MAX_EPS) {
    L.fill(0, 0, n);
    return 0;
  }
  let iscale = f(nmax / max);
  for (let i = 0; i < n; i++) L[i] = nearestInt(f(iscale * x[i]));
  const scale = f(1 / iscale);
  let bestMse = 0;
  for (let i = 0; i < n; i++) {
    const diff = f(x[i] - f(scale * L[i]));
    bestMse = f(bestMse + f(f(qw[i] * diff) * diff));
  }
  for (let is = -4; is <= 4; is++) {
    if (is === 0) continue;
    const iscaleIs = f(f(f(f(0.1) * is) + nmax) / max);
    const scaleIs = f(1 / iscaleIs);
    let mse = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.min(nmax, nearestInt(f(iscaleIs * x[i])));
      const diff = f(x[i] - f(scaleIs * l));
      mse = f(mse + f(f(qw[i] * diff) * diff));
    }
    if (mse < bestMse) {
      bestMse = mse;
      iscale = iscaleIs;
    }
  }
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const l = Math.min(nmax, nearestInt(f(iscale * x[i])));
    L[i] = l;
    const w = qw[i];
    sumlx = f(sumlx + f(f(w * x[i]) * l));
    suml2 = f(suml2 + f(f(w * l) * l));
  }
  for (let itry = 0; itry < 5; itry++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const w = qw[i];
      let slx = f(sumlx - f(f(w * x[i]) * L[i]));
      let sl2 = f(suml2 - f(f(w * L[i]) * L[i]));
      if (slx > 0 && sl2 > 0) {
        const newL = Math.min(nmax, nearestInt(f(f(x[i] * sl2) / slx)));
        if (newL !== L[i]) {
          slx = f(slx + f(f(w * x[i]) * newL));
          sl2 = f(sl2 + f(f(w * newL) * newL));
          if (f(f(slx * slx) * suml2) > f(f(sumlx * sumlx) * sl2)) {
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
  return suml2 > 0 ? f(sumlx / suml2) : 0;
}
