// The scale search that only llama.cpp's importance-weighted quantizers use (ggml-quants.c
// make_qp_quants; the callers are in importance-quantize.ts). Their other search,
// make_qkx3_quants without use_mad, is make_qkx2_quants (kquant-search.ts) operation for
// operation: upstream differs only in defaulting absent weights to x² and in testing max ≤ min
// instead of max = min (the same, as max ≥ min). Like kquant-search.ts, every float operation is
// rounded to float32 in upstream order (`f`) so that the codes match llama-quantize's bit for bit.
import { f, GROUP_MAX_EPS, nearestInt } from './ggml-math';

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
