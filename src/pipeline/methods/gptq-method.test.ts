// The registered GPTQ method, GPU against reference, on real weights with real calibration
// statistics (tiny-llama ONNX, [K, N]-stored MatMul weights, two windows of the bundled text),
// through the same WeightInput the pipeline hands it (Dawn through the `webgpu` package: SwiftShader
// here): the float32 GPU chain (inverse Cholesky, solve) agrees with the float64 reference in
// nearly every code and packs into the same MatMulNBits layout; both beat RTN's output error on the
// calibration inputs; a weight without statistics is a clear error; and the data-free method list
// agrees with what every registered method asks of calibration.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { DATA_FREE_METHODS, PRUNE_METHODS, QUANTIZE_METHODS, type GptqIntQuantize, type PruneSpec, type QuantizeSpec } from '../../core/recipe';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { toRowMajor } from '../../core/weight-layout';
import { decodeFloats } from '../../core/dtypes';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { codeAt, dequantizeRef, quantizeRtnRef } from '../../quant/rtn';
import { calibrate, type CalibrationStats } from '../calibration/calibrate';
import { openFixture } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { readWeight } from '../weights/read-weight';
import type { WeightInput } from './method';
import { methodById, methodOf, pruneMethodById } from './registry';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Share of codes on which GPU (float32) and reference (float64) must agree (a flip can carry along its row). */
const CODE_AGREEMENT_MIN = 0.99;
/** GPTQ's calibrated output error tr(ΔW H ΔWᵀ) must be below this share of RTN's on the same grid. */
const MAX_ERROR_RATIO_VS_RTN = 0.95;

const SPECS: GptqIntQuantize[] = [
  { method: 'gptq', bits: 4, group: 32, symmetric: false, damping: 0.01, blocksize: 128, actOrder: false },
  { method: 'gptq', bits: 3, group: 128, symmetric: true, damping: 0.01, blocksize: 64, actOrder: true },
];

function codes(t: IntGroupTensor): Uint8Array {
  return Uint8Array.from({ length: t.rows * t.cols }, (_, i) => codeAt(t, Math.floor(i / t.cols), i % t.cols));
}

/** tr(ΔW H ΔWᵀ): the output error on the calibration inputs (up to H's scale). */
function outputError(input: WeightInput, values: Float32Array): number {
  const { rows, cols } = input.layout;
  const w = toRowMajor(decodeFloats(input.bytes, input.dtype), input.layout);
  const h = input.stats!.hessian!;
  let total = 0;
  const d = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) d[c] = w[r * cols + c] - values[r * cols + c];
    for (let i = 0; i < cols; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) s += h[i * cols + j] * d[j];
      total += d[i] * s;
    }
  }
  return total;
}

describeWithFixtures('the GPTQ method, GPU against reference (tiny-llama)', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let stats: CalibrationStats;
  const layers = ['model.layers.1.self_attn.o_proj', 'model.layers.2.mlp.down_proj'];

  beforeAll(async () => {
    model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const names = model.index.tensors.filter((t) => layers.includes(t.layer)).map((t) => t.name);
    const text = readFileSync(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');
    const tokens = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength)).encode(text);
    stats = await calibrate(model, new Map(names.map((n) => [n, 'hessian'])), { windows: 2, tokens, textLabel: 'builtin', createSession: (b) => createNodeLmSession(b) });
  }, 120_000);

  (ctx ? it : it.skip).each(SPECS.map((s) => [JSON.stringify(s), s] as const))('%s', async (_, spec) => {
    const method = methodOf(spec);
    for (const layer of layers) {
      const info = model.index.tensors.find((t) => t.layer === layer)!;
      const input = { ...(await readWeight(model, info)), stats: stats.get(info.name) };
      const gpu = (await method.runGpu(ctx!, input, spec)) as IntGroupTensor;
      const ref = (await method.runRef(input, spec)) as IntGroupTensor;
      expect({ ...gpu, codes: 0, scales: 0, zeroPoints: 0, relError: 0 }).toEqual({ ...ref, codes: 0, scales: 0, zeroPoints: 0, relError: 0 });
      const [g, r] = [codes(gpu), codes(ref)];
      let same = 0;
      for (let i = 0; i < g.length; i++) if (g[i] === r[i]) same++;
      const rtn = dequantizeRef(quantizeRtnRef(decodeFloats(input.bytes, input.dtype), input.layout, spec));
      const [eGpu, eRef, eRtn] = [outputError(input, dequantizeRef(gpu)), outputError(input, dequantizeRef(ref)), outputError(input, rtn)];
      console.log(`${layer} ${spec.bits}-bit/${spec.group}${spec.actOrder ? ' act-order' : ''}: codes agree ${(same / g.length).toFixed(5)}; output error / RTN's: GPU ${(eGpu / eRtn).toFixed(3)}, reference ${(eRef / eRtn).toFixed(3)}`);
      expect(same / g.length, `${layer} code agreement`).toBeGreaterThanOrEqual(CODE_AGREEMENT_MIN);
      expect(eGpu / eRtn).toBeLessThan(MAX_ERROR_RATIO_VS_RTN);
      expect(eRef / eRtn).toBeLessThan(MAX_ERROR_RATIO_VS_RTN);
    }
  }, 300_000);

  it('without calibration statistics it says what is missing', async () => {
    const info = model.index.tensors.find((t) => t.layer === layers[0])!;
    await expect(methodOf(SPECS[0]).runRef(await readWeight(model, info), SPECS[0])).rejects.toThrow(
      `GPTQ needs calibration statistics of ${layers[0]}'s input (the Hessian XᵀX), and this run has none`,
    );
  });

  it('says when inputs were never active (zeroed) and when the damping had to be raised', async () => {
    const spec = SPECS[0];
    const info = model.index.tensors.find((t) => t.layer === layers[0])!;
    const weight = await readWeight(model, info);
    const n = weight.layout.cols;
    const h = stats.get(info.name)!.hessian!.slice();
    for (const dead of [3, 40, 41]) for (let j = 0; j < n; j++) h[dead * n + j] = h[j * n + dead] = 0;
    const input = { ...weight, stats: { ...stats.get(info.name)!, hessian: h } };
    for (const run of [() => methodOf(spec).runRef(input, spec), ...(ctx ? [() => methodOf(spec).runGpu(ctx!, input, spec)] : [])]) {
      const t = (await run()) as IntGroupTensor;
      expect(t.notes).toEqual([`3 of ${n} inputs were never active in calibration (zero Hessian diagonal): their weights are zeroed`]);
      const values = dequantizeRef(t);
      for (const c of [3, 40, 41]) for (let r = 0; r < t.rows; r++) expect(values[r * n + c]).toBe(0);
    }
    // Not positive semi-definite: a strongly negative direction that 0.01 × the mean diagonal cannot lift.
    const bad = stats.get(info.name)!.hessian!.slice();
    let mean = 0;
    for (let i = 0; i < n; i++) mean += bad[i * n + i] / n;
    bad[0] = bad[1 + n] = mean;
    bad[1] = bad[n] = 1.5 * mean;
    const raised = (await methodOf(spec).runRef({ ...weight, stats: { ...stats.get(info.name)!, hessian: bad } }, spec)) as IntGroupTensor;
    expect(raised.notes?.[0]).toMatch(/^the Hessian was not positive definite with damping 0\.01 × its mean diagonal: damping raised to \S+ \(more calibration windows help\)$/);
    for (const v of dequantizeRef(raised)) expect(Number.isFinite(v)).toBe(true);
  });

  it('the data-free methods are exactly those that ask nothing of calibration', async () => {
    const info = model.index.tensors.find((t) => t.layer === 'model.layers.0.mlp.down_proj')!;
    const pruneDefaults: Record<string, PruneSpec> = {};
    for (const id of PRUNE_METHODS) pruneDefaults[id] = pruneMethodById(id).parse({ method: id, sparsity: 0.5 }, 0);
    for (const id of PRUNE_METHODS) expect(pruneMethodById(id).needs(pruneDefaults[id], info) === 'nothing', id).toBe(DATA_FREE_METHODS.includes(id));
    const quantizeDefaults: Record<string, Record<string, unknown>> = { rtn: { bits: 4 }, gptq: { bits: 4 }, awq: { bits: 4 }, hqq: { bits: 4 }, ggml: { type: 'Q8_0' } };
    for (const id of QUANTIZE_METHODS) {
      const spec = methodById(id).parse({ method: id, ...quantizeDefaults[id] }, 0) as QuantizeSpec;
      expect(methodById(id).needs(spec, info) === 'nothing', id).toBe(DATA_FREE_METHODS.includes(id));
    }
  });
});
