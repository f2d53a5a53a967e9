// gptqGpu (gptq-sweep, gemm-update) vs gptqRef on seeded weights and SPD Hessians (the same float32
// U): code agreement, values in rows whose codes agree, exact group parameters where both read the
// same inputs (first block's groups, static groups), RTN exactly when U is diagonal, the chain from
// dampedInverseCholeskyGpu with act-order and dead columns, an output error ‖(W−Ŵ)Xᵀ‖ below RTN's;
// error paths.
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, GpuLimitError, ShapeError } from '../../core/errors';
import type { RtnGroupSize } from '../../core/recipe';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { dampedInverseCholeskyRef } from '../../quant/linalg/cholesky';
import { zeroColumns } from '../../quant/linalg/sparsegpt';
import { actOrderPerm, type GptqOptions, type GptqResult, gptqRef, permuteSymmetric } from '../../quant/linalg/gptq';
import { hessianOf, outputError, seededActivations, seededNormal, seededRandom } from '../../quant/linalg/testing';
import { codeAt, dequantizeRef, quantizeRtnRef } from '../../quant/rtn';
import { dampedInverseCholeskyGpu } from './cholesky';
import { gptqGpu } from './gptq';

const { ctx } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
afterAll(() => ctx?.destroy());

/**
 * Share of codes on which GPU (float32 W) and reference (float64 W) must agree. A weight at a
 * rounding boundary can flip, and the flip's feedback moves part of the rest of its row: measured
 * 1.00000 in every case here (SwiftShader), 0.99895 on a 512×512 8-bit layer (6 rows of 512 flipped,
 * at most 170 codes in one), so this leaves room for about one such row per case. Logged per case.
 */
const CODE_AGREEMENT_MIN = 0.99;
/**
 * In rows whose codes agree entirely, |Δŵ| ≤ this · max|W|: groups found after the first block read
 * float32 vs float64 weights, so their scales may differ in the last bits (measured ≤ 2.1e-7, logged).
 */
const VALUE_REL_TOL = 1e-5;
/** GPTQ's ‖(W−Ŵ)Xᵀ‖ must be at most this share of RTN's on the same grid (as in gptq.test.ts). */
const MAX_ERROR_RATIO_VS_RTN = 0.9;

function compare(gpu: GptqResult, ref: GptqResult, rows: number, cols: number, opts: GptqOptions, label: string): number {
  const groupSize = opts.group === 'per-channel' ? cols : opts.group;
  const nGroups = Math.ceil(cols / groupSize);
  expect(gpu.codes.length).toBe(rows * cols);
  expect(gpu.scales.length).toBe(rows * nGroups);
  // Groups whose parameters both sides take from the original W: static ones, else those starting in block 0.
  const exactGroups = opts.group === 'per-channel' || opts.perm ? nGroups : Math.ceil(Math.min(opts.blocksize, cols) / groupSize);
  let paramDiffs = 0;
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < nGroups; g++) {
      const i = r * nGroups + g;
      if (g < exactGroups) {
        expect(gpu.scales[i], `${label}: scale [${r}][${g}]`).toBe(ref.scales[i]);
        expect(gpu.zeroPoints[i], `${label}: zero point [${r}][${g}]`).toBe(ref.zeroPoints[i]);
      } else if (gpu.scales[i] !== ref.scales[i] || gpu.zeroPoints[i] !== ref.zeroPoints[i]) {
        paramDiffs++;
      }
    }
  }
  let scale = 0;
  for (const v of ref.values) scale = Math.max(scale, Math.abs(v));
  let flips = 0;
  let rowsFlipped = 0;
  let worstRowFlips = 0;
  let worstValue = 0;
  let worstAt = '';
  for (let r = 0; r < rows; r++) {
    let rowFlips = 0;
    for (let c = 0; c < cols; c++) rowFlips += gpu.codes[r * cols + c] !== ref.codes[r * cols + c] ? 1 : 0;
    flips += rowFlips;
    rowsFlipped += rowFlips > 0 ? 1 : 0;
    worstRowFlips = Math.max(worstRowFlips, rowFlips);
    // A flipped code feeds a different error into the rest of its row: compare values in whole rows only.
    if (rowFlips > 0) continue;
    for (let c = 0; c < cols; c++) {
      const d = Math.abs(gpu.values[r * cols + c] - ref.values[r * cols + c]) / scale;
      if (d > worstValue) [worstValue, worstAt] = [d, `[${r}][${c}]`];
    }
  }
  const share = 1 - flips / (rows * cols);
  console.log(
    `${label}: code agreement ${share.toFixed(5)} (${flips} flips of ${rows * cols} in ${rowsFlipped} rows, at most ${worstRowFlips} in one), ` +
      `later groups' params differing ${paramDiffs}, in agreeing rows max |Δŵ|/max|W| ${worstValue.toExponential(2)} at ${worstAt || '-'}`,
  );
  expect(share, label).toBeGreaterThanOrEqual(CODE_AGREEMENT_MIN);
  expect(worstValue, `${label}, worst at ${worstAt}`).toBeLessThanOrEqual(VALUE_REL_TOL);
  return share;
}

/** Seeded W ~ N(0, 1) [rows][cols], correlated X, H and (float32) U, in solve order when actOrder. */
function seededLayer(rows: number, cols: number, seed: number, actOrder: boolean) {
  const tokens = 2 * cols;
  const x = seededActivations(tokens, cols, seed);
  const h = hessianOf(x, tokens, cols);
  const perm = actOrder ? actOrderPerm(h, cols) : undefined;
  const u = Float32Array.from(dampedInverseCholeskyRef(perm ? permuteSymmetric(h, cols, perm) : h, cols, 0.01).u);
  return { x, tokens, w: seededNormal(rows * cols, seed + 1), u, perm };
}

function rtnValues(w: Float32Array, rows: number, cols: number, opts: GptqOptions): Float32Array {
  return dequantizeRef(quantizeRtnRef(w, { rows, cols, rowStride: cols, colStride: 1 }, { bits: opts.bits, group: opts.group as RtnGroupSize, symmetric: opts.symmetric }));
}

describe('gptqGpu vs gptqRef (same float32 U)', () => {
  const cases: [string, number, number, Omit<GptqOptions, 'perm'>, boolean][] = [
    ['4-bit, group 32, asym', 64, 128, { bits: 4, group: 32, symmetric: false, blocksize: 128 }, false],
    ['3-bit, group 128, sym, short last group', 64, 160, { bits: 3, group: 128, symmetric: true, blocksize: 64 }, false],
    ['2-bit, per-channel, asym', 64, 96, { bits: 2, group: 'per-channel', symmetric: false, blocksize: 40 }, false],
    ['8-bit, group 64, sym', 64, 128, { bits: 8, group: 64, symmetric: true, blocksize: 32 }, false],
    ['4-bit, group 32, asym, blocksize 40 of 96', 64, 96, { bits: 4, group: 32, symmetric: false, blocksize: 40 }, false],
    ['4-bit, group 32, asym, act-order', 64, 128, { bits: 4, group: 32, symmetric: false, blocksize: 48 }, true],
    ['4-bit, group 32, sym, 80 columns', 64, 80, { bits: 4, group: 32, symmetric: true, blocksize: 32 }, false],
  ];
  for (const [name, rows, cols, base, act] of cases) {
    gpuIt(`${rows}×${cols}, ${name}, blocksize ${base.blocksize}`, async () => {
      const { w, u, perm } = seededLayer(rows, cols, rows + cols + base.bits, act);
      const opts: GptqOptions = { ...base, perm };
      const t0 = performance.now();
      const gpu = await gptqGpu(ctx!, w, rows, cols, u, opts);
      const t1 = performance.now();
      const ref = gptqRef(w, rows, cols, u, opts);
      console.log(`${name}: GPU ${(t1 - t0).toFixed(0)} ms, reference ${(performance.now() - t1).toFixed(0)} ms`);
      compare(gpu, ref, rows, cols, opts, `${rows}×${cols} ${name}`);
    });
  }

  gpuIt('a diagonal U (no error feedback) gives quantizeRtnRef exactly', async () => {
    const [rows, cols] = [64, 200];
    const rnd = seededRandom(3);
    const u = new Float32Array(cols * cols);
    for (let j = 0; j < cols; j++) u[j * cols + j] = 0.5 + 1.5 * rnd();
    const w = seededNormal(rows * cols, 4);
    const perm = Uint32Array.from({ length: cols }, (_, i) => (i * 77) % cols);
    const settings: GptqOptions[] = [
      { bits: 4, group: 32, symmetric: false, blocksize: 48 },
      { bits: 3, group: 'per-channel', symmetric: true, blocksize: 200 },
      { bits: 4, group: 64, symmetric: true, blocksize: 40, perm },
    ];
    for (const opts of settings) {
      const gpu = await gptqGpu(ctx!, w, rows, cols, u, opts);
      const rtn = quantizeRtnRef(w, { rows, cols, rowStride: cols, colStride: 1 }, { bits: opts.bits, group: opts.group as RtnGroupSize, symmetric: opts.symmetric });
      const label = `${opts.bits}-bit, group ${opts.group}${opts.perm ? ', perm' : ''}`;
      expect(Array.from(gpu.scales), label).toEqual(Array.from(rtn.scales));
      expect(Array.from(gpu.zeroPoints), label).toEqual(Array.from(rtn.zeroPoints));
      let flips = 0;
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) flips += gpu.codes[r * cols + c] !== codeAt(rtn, r, c) ? 1 : 0;
      // RTN's own GPU kernel allows rare ±1 at ties where w·(1/scale) + zp fuses into an fma.
      expect(flips, label).toBeLessThanOrEqual(1);
    }
  });

  gpuIt(`its output error ‖(W−Ŵ)Xᵀ‖ is below RTN's (ratio < ${MAX_ERROR_RATIO_VS_RTN})`, async () => {
    const [rows, cols] = [64, 128];
    for (const [base, act] of [
      [{ bits: 4, group: 32, symmetric: false, blocksize: 64 }, false],
      [{ bits: 3, group: 'per-channel', symmetric: true, blocksize: 128 }, false],
      [{ bits: 4, group: 64, symmetric: false, blocksize: 40 }, true],
    ] as [Omit<GptqOptions, 'perm'>, boolean][]) {
      const { x, tokens, w, u, perm } = seededLayer(rows, cols, 21 + base.bits, act);
      const opts: GptqOptions = { ...base, perm };
      const gpu = await gptqGpu(ctx!, w, rows, cols, u, opts);
      const rtnError = outputError(w, rtnValues(w, rows, cols, opts), rows, cols, x, tokens);
      const ratio = outputError(w, gpu.values, rows, cols, x, tokens) / rtnError;
      const refRatio = outputError(w, gptqRef(w, rows, cols, u, opts).values, rows, cols, x, tokens) / rtnError;
      console.log(`${base.bits}-bit, group ${base.group}${act ? ', act-order' : ''}: ‖(W−Ŵ)Xᵀ‖ GPTQ / RTN = ${ratio.toFixed(3)} (reference ${refRatio.toFixed(3)})`);
      expect(ratio).toBeLessThan(MAX_ERROR_RATIO_VS_RTN);
    }
  });
});

describe('GPU chain: dampedInverseCholeskyGpu → gptqGpu', () => {
  gpuIt('with act-order and dead columns matches the reference chain', async () => {
    const [rows, cols, tokens] = [64, 128, 256];
    const x = seededActivations(tokens, cols, 31);
    for (let t = 0; t < tokens; t++) x[t * cols + 5] = x[t * cols + 70] = 0;
    const h = hessianOf(x, tokens, cols);
    const perm = actOrderPerm(h, cols);
    const hp = permuteSymmetric(h, cols, perm);
    const inv = await dampedInverseCholeskyGpu(ctx!, Float32Array.from(hp), cols);
    const refInv = dampedInverseCholeskyRef(hp, cols);
    expect(inv.dead).toEqual(refInv.dead);
    // inv.dead are solve positions; they map back to the zeroed columns.
    expect(inv.dead.map((p) => perm[p]).sort((a, b) => a - b)).toEqual([5, 70]);
    const w = seededNormal(rows * cols, 32);
    zeroColumns(w, rows, cols, [5, 70]);
    const opts: GptqOptions = { bits: 4, group: 32, symmetric: false, blocksize: 48, perm };
    const gpu = await gptqGpu(ctx!, w, rows, cols, inv.u, opts);
    compare(gpu, gptqRef(w, rows, cols, refInv.u, opts), rows, cols, opts, 'chain, act-order');
    const ratio = outputError(w, gpu.values, rows, cols, x, tokens) / outputError(w, rtnValues(w, rows, cols, opts), rows, cols, x, tokens);
    console.log(`chain, act-order: ‖(W−Ŵ)Xᵀ‖ GPTQ / RTN = ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThan(MAX_ERROR_RATIO_VS_RTN);
  });
});

describe('gptqGpu errors', () => {
  const u = new Float32Array([1, 0, 0, 1]);
  const opts: GptqOptions = { bits: 4, group: 2, symmetric: false, blocksize: 2 };
  gpuIt('checks shapes, options and limits before touching the GPU', async () => {
    await expect(gptqGpu(ctx!, new Float32Array(3), 2, 2, u, opts)).rejects.toThrow(ShapeError);
    await expect(gptqGpu(ctx!, new Float32Array(3), 2, 2, u, opts)).rejects.toThrow('W must hold rows × cols = 2 × 2 = 4 values, got 3');
    await expect(gptqGpu(ctx!, new Float32Array(4), 2, 2, u, { ...opts, perm: Uint32Array.from([1, 1]) })).rejects.toThrow(ShapeError);
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 64 } };
    const err = await gptqGpu(small, new Float32Array(16), 4, 4, new Float32Array(16).map((_, i) => (i % 5 === 0 ? 1 : 0)), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toMatch(/GPTQ on a 4×4 weight needs a \d+-byte GPU buffer, but this GPU binds at most 64 bytes/);
  });

  gpuIt('stops with CancelledError when the signal is aborted', async () => {
    await expect(gptqGpu(ctx!, new Float32Array(4), 2, 2, u, { ...opts, signal: AbortSignal.abort() })).rejects.toThrow(CancelledError);
  });
});
