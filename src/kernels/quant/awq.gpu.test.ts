// AWQ's kernels (shaders/quant/awq-*.wgsl) vs the reference (src/quant/awq.ts): δ of a candidate,
// the candidate error summed over weights (float32 tiles vs float64), the clip search's errors per
// (row, group, ratio), and the choices both make, over bit widths, symmetric grids, a ragged last
// group and rows/columns that are not multiples of the 16-wide tiles.
import { afterAll, describe, expect, it } from 'vitest';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { type AwqGrid, awqCandidateLossRef, awqClipLimits, awqClipLossRef, awqDeltaRef, awqScales, awqSearchScales } from '../../quant/awq';
import { hessianOf, seededActivations, seededNormal } from '../../quant/linalg/testing';
import { awqCandidateLossGpu, awqClipLossGpu, awqDeltaGpu } from './awq';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Share of δ elements that must be bit-identical (the rest: a code one step apart, at a rounding tie). */
const DELTA_AGREEMENT_MIN = 0.999;
/** Relative difference allowed between float32 GPU and float64 reference error sums. */
const LOSS_REL_TOL = 2e-4;

function setup(rows: number, cols: number, seed: number) {
  const tokens = 3 * cols;
  const x = seededActivations(tokens, cols, seed);
  for (let t = 0; t < tokens; t++) for (let j = 3; j < cols; j += 29) x[t * cols + j] *= 8;
  const h = Float32Array.from(hessianOf(x, tokens, cols));
  const magnitude = Array.from({ length: cols }, (_, j) => Math.sqrt(h[j * cols + j] / 2));
  const w = seededNormal(rows * cols, seed + 1, 0.05);
  return { h, magnitude, w };
}

const CASES: [number, number, AwqGrid][] = [
  [40, 96, { bits: 4, groupSize: 32, symmetric: false }],
  [33, 80, { bits: 3, groupSize: 32, symmetric: true }], // ragged group, rows not a tile multiple
  [16, 64, { bits: 2, groupSize: 64, symmetric: false }],
  [20, 48, { bits: 8, groupSize: 48, symmetric: false }], // per-channel
];

describe('AWQ on the GPU vs the TypeScript reference', () => {
  gpuIt.each(CASES)('%i×%i %o', async (rows, cols, grid) => {
    const { h, magnitude, w } = setup(rows, cols, rows + cols);
    const s = awqScales(magnitude, 0.45);
    const dGpu = await awqDeltaGpu(ctx!, w, rows, cols, s, grid);
    const dRef = awqDeltaRef(w, rows, cols, s, grid);
    let same = 0;
    for (let i = 0; i < dRef.length; i++) if (Object.is(dGpu[i], dRef[i])) same++;
    expect(same / dRef.length, 'δ agreement').toBeGreaterThanOrEqual(DELTA_AGREEMENT_MIN);

    const weights = [{ values: w, rows, cols }, { values: seededNormal(7 * cols, rows, 0.05), rows: 7, cols }];
    const gpuLoss = await awqCandidateLossGpu(ctx!, weights, h, grid);
    try {
      const refLoss = awqCandidateLossRef(h, grid);
      for (const alpha of [0, 0.3, 0.8]) {
        const sa = awqScales(magnitude, alpha);
        const [g, r] = [await gpuLoss.loss(weights, sa), await refLoss(weights, sa)];
        expect(Math.abs(g - r) / r, `candidate error at α = ${alpha}`).toBeLessThan(LOSS_REL_TOL);
      }
      const [byGpu, byRef] = [await awqSearchScales(weights, magnitude, 10, gpuLoss.loss), await awqSearchScales(weights, magnitude, 10, refLoss)];
      // Same choice, or one whose reference error is within the tolerance of the best.
      const chosen = byRef.losses[Math.round(byGpu.alpha * 10)];
      expect((chosen - Math.min(...byRef.losses)) / Math.min(...byRef.losses)).toBeLessThan(LOSS_REL_TOL);
    } finally {
      gpuLoss.destroy();
    }

    const cGpu = await awqClipLossGpu(ctx!, w, rows, cols, h, grid);
    const cRef = awqClipLossRef(w, rows, cols, h, grid);
    let worst = 0;
    const floor = Math.max(...cRef) * 1e-6;
    for (let i = 0; i < cRef.length; i++) worst = Math.max(worst, Math.abs(cGpu[i] - cRef[i]) / Math.max(Math.abs(cRef[i]), floor));
    expect(worst, 'clip errors').toBeLessThan(1e-3);
    const [lg, lr] = [awqClipLimits(w, rows, cols, grid.groupSize, cGpu), awqClipLimits(w, rows, cols, grid.groupSize, cRef)];
    let sameLimit = 0;
    for (let i = 0; i < lr.length; i++) if (lg[i] === lr[i]) sameLimit++;
    expect(sameLimit / lr.length, 'clip choices').toBeGreaterThanOrEqual(0.95);
  });
});
