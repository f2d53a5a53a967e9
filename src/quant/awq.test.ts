// The AWQ reference (src/quant/awq.ts) against what it stands for: the Hessian form of the error is
// the output error on the calibration rows, α = 0 is round-to-nearest, a hand-worked scale, and on
// inputs with a few loud channels (AWQ's premise) the search finds scales that beat RTN; the clip
// search's first ratio is the unclipped grid and its choice never scores worse.
import { describe, expect, it } from 'vitest';
import { applyClipLimits, awqAlphas, awqCandidateLossRef, awqClipLimits, awqClipLossRef, awqClipRatios, awqDeltaRef, awqRowLossRef, awqScales, awqSearchScales } from './awq';
import { hessianOf, outputError, seededActivations, seededNormal } from './linalg/testing';
import { dequantizeRef, quantizeRtnRef } from './rtn';

const ROWS = 24;
const COLS = 64;
const TOKENS = 512;

/** Activations whose channels 5, 17 and 40 are ten times louder (AWQ's salient channels). */
function loudActivations(): Float32Array {
  const x = seededActivations(TOKENS, COLS, 7);
  for (let t = 0; t < TOKENS; t++) for (const j of [5, 17, 40]) x[t * COLS + j] *= 10;
  return x;
}

const rms = (x: Float32Array, tokens: number, cols: number) =>
  Array.from({ length: cols }, (_, j) => {
    let s = 0;
    for (let t = 0; t < tokens; t++) s += x[t * cols + j] ** 2;
    return Math.sqrt(s / tokens);
  });

const grid = { bits: 3, groupSize: 32, symmetric: false };

describe('AWQ reference', () => {
  it('normalises s = m^α by √(max·min) (hand-worked)', () => {
    const s = awqScales([1, 4], 0.5);
    expect(s[0]).toBeCloseTo(1 / Math.SQRT2, 6);
    expect(s[1]).toBeCloseTo(Math.SQRT2, 6);
    expect(Array.from(awqScales([3, 0], 0))).toEqual([1, 1]);
    expect(awqAlphas(4)).toEqual([0, 0.25, 0.5, 0.75]);
  });

  it('δ H δᵀ is the output error on the calibration rows (H = 2/n·XᵀX)', () => {
    const w = seededNormal(ROWS * COLS, 3, 0.05);
    const x = loudActivations();
    const h = hessianOf(x, TOKENS, COLS);
    const s = awqScales(rms(x, TOKENS, COLS), 0.5);
    const delta = awqDeltaRef(w, ROWS, COLS, s, grid);
    const wHat = w.map((v, i) => v + delta[i]);
    const viaH = awqRowLossRef(delta, ROWS, COLS, h).reduce((a, b) => a + b, 0);
    const direct = (2 / TOKENS) * outputError(w, wHat, ROWS, COLS, x, TOKENS) ** 2;
    expect(viaH / direct).toBeCloseTo(1, 4);
  });

  it('per-row losses equal the plain δ_r H δ_rᵀ loop bit for bit, four-row blocks and the rows left over alike', () => {
    const rows = 7;
    const x = loudActivations();
    const h = hessianOf(x, TOKENS, COLS);
    const delta = awqDeltaRef(seededNormal(rows * COLS, 5, 0.05), rows, COLS, awqScales(rms(x, TOKENS, COLS), 0.5), grid);
    const plain = Array.from({ length: rows }, (_, r) => {
      let sum = 0;
      for (let i = 0; i < COLS; i++) {
        let hd = 0;
        for (let j = 0; j < COLS; j++) hd += h[i * COLS + j] * delta[r * COLS + j];
        sum += delta[r * COLS + i] * hd;
      }
      return sum;
    });
    expect(Array.from(awqRowLossRef(delta, rows, COLS, h))).toEqual(plain);
  });

  it('α = 0 is round-to-nearest', () => {
    const w = seededNormal(ROWS * COLS, 4, 0.05);
    const delta = awqDeltaRef(w, ROWS, COLS, awqScales(new Float32Array(COLS).fill(2), 0), grid);
    const rtn = dequantizeRef(quantizeRtnRef(w, { rows: ROWS, cols: COLS, rowStride: COLS, colStride: 1 }, { bits: 3, group: 32, symmetric: false }));
    expect(Array.from(delta)).toEqual(Array.from(rtn, (v, i) => Math.fround(v - w[i])));
  });

  it('finds scales that beat round-to-nearest when a few input channels are loud', async () => {
    const weights = [0, 1].map((k) => ({ values: seededNormal(ROWS * COLS, 10 + k, 0.05), rows: ROWS, cols: COLS }));
    const x = loudActivations();
    const h = hessianOf(x, TOKENS, COLS);
    const search = await awqSearchScales(weights, rms(x, TOKENS, COLS), 20, awqCandidateLossRef(h, grid));
    expect(search.losses).toHaveLength(20);
    expect(search.alpha).toBeGreaterThan(0);
    expect(Math.min(...search.losses)).toBe(search.losses[Math.round(search.alpha * 20)]);
    expect(search.losses[Math.round(search.alpha * 20)]).toBeLessThan(0.9 * search.losses[0]);
    // The loud channels get the largest scales.
    const order = Array.from(search.scales.keys()).sort((a, b) => search.scales[b] - search.scales[a]);
    expect(order.slice(0, 3).sort((a, b) => a - b)).toEqual([5, 17, 40]);
  });

  it('clip search: ratio 1 is the unclipped grid, and the chosen limits never score worse', () => {
    const w = seededNormal(ROWS * COLS, 5, 0.05);
    for (let i = 0; i < w.length; i += 37) w[i] *= 6; // outliers worth clipping
    const h = hessianOf(loudActivations(), TOKENS, COLS);
    const losses = awqClipLossRef(w, ROWS, COLS, h, grid);
    const ratios = awqClipRatios();
    expect(ratios[0]).toBe(1);
    expect(ratios.at(-1)).toBeCloseTo(0.55, 6);
    const groups = COLS / grid.groupSize;
    const limits = awqClipLimits(w, ROWS, COLS, grid.groupSize, losses);
    const clipped = applyClipLimits(w, ROWS, COLS, grid.groupSize, limits);
    let unclipped = 0;
    let chosen = 0;
    let shrunk = 0;
    for (let rg = 0; rg < ROWS * groups; rg++) {
      unclipped += losses[rg * ratios.length];
      chosen += Math.min(...losses.slice(rg * ratios.length, (rg + 1) * ratios.length));
    }
    for (let i = 0; i < w.length; i++) if (clipped[i] !== w[i]) shrunk++;
    expect(chosen).toBeLessThan(unclipped);
    expect(shrunk).toBeGreaterThan(0);
    // The unclipped loss of a group is its δ H_gg δᵀ with δ of plain RTN.
    const rtn = dequantizeRef(quantizeRtnRef(w, { rows: ROWS, cols: COLS, rowStride: COLS, colStride: 1 }, { bits: 3, group: 32, symmetric: false }));
    let g0 = 0;
    for (let a = 0; a < 32; a++) for (let b = 0; b < 32; b++) g0 += (rtn[a] - w[a]) * h[a * COLS + b] * (rtn[b] - w[b]);
    expect(losses[0] / g0).toBeCloseTo(1, 4);
  });
});
