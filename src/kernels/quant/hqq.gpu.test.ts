// hqqGpu (shaders/quant/hqq.wgsl) vs hqqRef (src/quant/hqq.ts): seeded heavy-tailed weights over
// every bit width, block groups, per-channel rows and a ragged last group, float and integer zero
// points, then tiny-llama's real weights. Scales must be bit-identical (no pow() reaches them);
// zero points may differ by a few ulps (WGSL's pow() is not correctly rounded, and the solver
// averages it into z), so they are held to a relative bound, and codes to an agreement share,
// with the GPU's reconstruction error no worse than the reference's beyond a hair.
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSource } from '../../core/byte-source';
import { ShapeError } from '../../core/errors';
import { decodeFloats } from '../../core/dtypes';
import { toRowMajor } from '../../core/weight-layout';
import { HQQ_DEFAULTS, type HqqZeroPoint, type RtnBits, type RtnGroupSize } from '../../core/recipe';
import { fetchFixtures } from '../../eval/testing/browser-fixtures';
import { acquireBrowserGpu } from '../../gpu/browser-gpu';
import { gpuForTests } from '../../gpu/testing';
import { type HqqOptions, type HqqRefResult, hqqRef } from '../../quant/hqq';
import { relativeError } from '../../quant/metrics';
import { openModel } from '../../pipeline/open-model';
import { readWeight } from '../../pipeline/weights/read-weight';
import { seededWeights } from './rtn-compare';
import { hqqGpu } from './hqq';

const { ctx, skipReason } = await gpuForTests(acquireBrowserGpu);
const gpuIt = ctx ? it : it.skip;
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** A GPU zero point may differ from the reference's by this much, relative to max(1, |z|). */
const ZERO_REL_TOL = 1e-5;
/** Share of codes that must be identical. */
const CODE_AGREEMENT_MIN = 0.9995;
/** The GPU's relative L2 error may exceed the reference's by at most this factor. */
const MAX_ERROR_RATIO = 1 + 1e-4;

function opts(bits: RtnBits, group: RtnGroupSize, zeroPoint: HqqZeroPoint = 'float'): HqqOptions {
  return { bits, group, zeroPoint, ...HQQ_DEFAULTS };
}

function compare(gpu: HqqRefResult, ref: HqqRefResult, w: Float32Array, label: string): { codeAgreement: number; worstZero: number } {
  expect(gpu.scales, `${label}: scales`).toEqual(ref.scales);
  let worstZero = 0;
  for (let i = 0; i < ref.zeros.length; i++) {
    worstZero = Math.max(worstZero, Math.abs(gpu.zeros[i] - ref.zeros[i]) / Math.max(1, Math.abs(ref.zeros[i])));
  }
  let same = 0;
  for (let i = 0; i < ref.codes.length; i++) if (gpu.codes[i] === ref.codes[i]) same++;
  const codeAgreement = same / ref.codes.length;
  expect(worstZero, `${label}: worst zero-point difference`).toBeLessThanOrEqual(ZERO_REL_TOL);
  expect(codeAgreement, `${label}: code agreement`).toBeGreaterThanOrEqual(CODE_AGREEMENT_MIN);
  expect(relativeError(w, gpu.values), `${label}: error`).toBeLessThanOrEqual(relativeError(w, ref.values) * MAX_ERROR_RATIO);
  return { codeAgreement, worstZero };
}

describe('HQQ on the GPU vs the TypeScript reference', () => {
  const CASES: [number, number, HqqOptions][] = [
    [64, 256, opts(4, 64)],
    [48, 256, opts(3, 32)],
    [40, 256, opts(2, 128)],
    [32, 256, opts(8, 64, 'integer')],
    [32, 200, opts(4, 64)], // ragged last group, padded pack block
    [24, 200, opts(4, 'per-channel')],
    [64, 256, opts(4, 64, 'integer')],
    [16, 512, opts(2, 'per-channel', 'integer')],
  ];
  for (const [rows, cols, o] of CASES) {
    gpuIt(`${o.bits}-bit/${o.group} ${o.zeroPoint} zero points, ${rows}×${cols}`, async () => {
      const w = seededWeights(rows * cols, rows * 131 + cols + o.bits);
      const ref = hqqRef(w, rows, cols, o);
      const gpu = await hqqGpu(ctx!, w, rows, cols, o);
      compare(gpu, ref, w, `${o.bits}-bit/${o.group}`);
      if (o.zeroPoint === 'integer') expect(Array.from(gpu.zeros).every((z) => Number.isInteger(z) && z >= 0 && z < 1 << o.bits)).toBe(true);
    });
  }

  gpuIt('no iterations is the min/max grid, identical on both sides', async () => {
    const w = seededWeights(32 * 128, 7);
    const o = { ...opts(4, 32), iterations: 0 };
    const ref = hqqRef(w, 32, 128, o);
    const gpu = await hqqGpu(ctx!, w, 32, 128, o);
    expect(gpu.zeros).toEqual(ref.zeros);
    expect(gpu.codes).toEqual(ref.codes);
  });

  gpuIt('past the binding limit: slices of whole rows give one pass\'s result', async () => {
    const w = seededWeights(30 * 200, 17);
    const o = opts(4, 64);
    const whole = await hqqGpu(ctx!, w, 30, 200, o);
    const small = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 7 * 200 * 4 } }; // 7, 7, 7, 7, 2 rows
    const sliced = await hqqGpu(small, w, 30, 200, o);
    expect(sliced).toEqual(whole);
    const tiny = { ...ctx!, limits: { ...ctx!.limits, maxStorageBufferBindingSize: 100 } };
    await expect(hqqGpu(tiny, w, 30, 200, o)).rejects.toThrow(/one 200-column row needs a 800-byte GPU buffer/);
  });

  gpuIt('a non-finite weight is refused with its row and column', async () => {
    const w = seededWeights(8 * 64, 3);
    w[2 * 64 + 5] = NaN;
    await expect(hqqGpu(ctx!, w, 8, 64, opts(4, 32))).rejects.toThrow(ShapeError);
    await expect(hqqGpu(ctx!, w, 8, 64, opts(4, 32))).rejects.toThrow(/row 2, column 5/);
  });

  gpuIt("tiny-llama's q_proj and down_proj at 4-bit/64 and 3-bit/128", async (t) => {
    const got = await fetchFixtures({ model: ['models', 'tiny-llama', 'onnx', 'model.onnx'] });
    if (!got.files) return t.skip(got.missing);
    const model = await openModel([bytesSource(new Uint8Array(got.files.model), 'model.onnx')]);
    for (const layer of ['model.layers.0.self_attn.q_proj', 'model.layers.1.mlp.down_proj']) {
      const info = model.index.tensors.find((x) => x.layer === layer && x.role === 'matmul-weight')!;
      const { bytes, dtype } = await readWeight(model, info);
      const w = toRowMajor(decodeFloats(bytes, dtype), info.layout!);
      const { rows, cols } = info.layout!;
      for (const o of [opts(4, 64), opts(3, 128)]) {
        const r = compare(await hqqGpu(ctx!, w, rows, cols, o), hqqRef(w, rows, cols, o), w, `${layer} ${o.bits}-bit/${o.group}`);
        console.info(`${layer} ${o.bits}-bit/${o.group}: codes agree ${(r.codeAgreement * 100).toFixed(3)} %, worst zero ${r.worstZero.toExponential(2)}`);
      }
    }
  }, 120_000);
});
