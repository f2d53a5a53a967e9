// The registered HQQ method through the whole seam (tiny-llama and small-llama ONNX): GPU against
// reference on real [K, N]-stored weights, through the WeightInput the pipeline hands it (Dawn
// through the `webgpu` package: SwiftShader here); the geometry the exporter sizes from; the ONNX
// export's MatMulNBits carry float zero points in the scales' type (integer ones packed, when
// asked) and run in onnxruntime-node with the perplexity the studio's evaluator showed; and the
// safetensors export stores what the evaluator scored. GGUF refuses before work.
import { readFile } from 'node:fs/promises';
import { afterAll, expect, it } from 'vitest';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { RecipeError } from '../../core/errors';
import { RECIPE_VERSION, type HqqQuantize, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures, fixturePath } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { evaluatePerplexity } from '../../eval/perplexity';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { openOnnx } from '../../formats/onnx/onnx-reader';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { codeAt, dequantizeRef } from '../../quant/rtn';
import { FLOAT_ZERO_POINTS_NOTE } from '../exporters/onnx-exporter';
import { compressFixture, exportedBytes, fixtureContext, openFixture } from '../exporters/testing/export-fixtures';
import { parseRecipe } from '../recipe/parse-recipe';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { variantWeights } from '../variant-weights';
import { readWeight } from '../weights/read-weight';
import { methodOf } from './registry';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

/** Share of codes GPU and reference must agree on (WGSL's pow() is not correctly rounded). */
const CODE_AGREEMENT_MIN = 0.9995;

/** The parsed spec (defaults filled: float zero points below 8 bits, integer at 8). */
const hqq = (bits: 2 | 3 | 4 | 8, group: 32 | 64 | 128 | 'per-channel', zeroPoint?: 'float' | 'integer'): HqqQuantize =>
  parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'hqq', bits, group, ...(zeroPoint ? { zeroPoint } : {}) } }] }).rules[0].quantize as HqqQuantize;

function recipeOf(quantize: HqqQuantize): Recipe {
  return { recipe: RECIPE_VERSION, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] };
}

describeWithFixtures('the HQQ method (tiny-llama ONNX)', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  (ctx ? it : it.skip).each([hqq(4, 64), hqq(3, 128), hqq(2, 32, 'integer'), hqq(8, 'per-channel')].map((s) => [JSON.stringify(s), s] as const))('GPU = reference: %s', async (_, spec) => {
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    for (const layer of ['model.layers.0.self_attn.k_proj', 'model.layers.2.mlp.down_proj']) {
      const info = model.index.tensors.find((t) => t.layer === layer)!;
      const input = await readWeight(model, info);
      const gpu = (await methodOf(spec).runGpu(ctx!, input, spec)) as IntGroupTensor;
      const ref = (await methodOf(spec).runRef(input, spec)) as IntGroupTensor;
      expect({ ...gpu, codes: 0, zeroPointValues: 0, zeroPoints: 0, relError: 0 }).toEqual({ ...ref, codes: 0, zeroPointValues: 0, zeroPoints: 0, relError: 0 });
      expect(gpu.floatZeroPoints ?? false).toBe(spec.zeroPoint === 'float');
      let same = 0;
      for (let r = 0; r < gpu.rows; r++) for (let c = 0; c < gpu.cols; c++) if (codeAt(gpu, r, c) === codeAt(ref, r, c)) same++;
      expect(same / (gpu.rows * gpu.cols), `${layer}: code agreement`).toBeGreaterThanOrEqual(CODE_AGREEMENT_MIN);
      expect(gpu.relError).toBeLessThanOrEqual(ref.relError * (1 + 1e-4));
      expect(methodOf(spec).geometry(spec, info.layout!.cols)).toEqual({ kind: 'int-groups', layout: { bits: gpu.bits, storedBits: gpu.storedBits, symmetric: false, groupSize: gpu.groupSize, packBlock: gpu.packBlock, ...(gpu.floatZeroPoints ? { floatZeroPoints: true } : {}) } });
    }
  }, 300_000);

  it('GGUF output refuses HQQ before any work, naming the rule', async () => {
    const model = await openFixture('tiny-llama', 'onnx/model.onnx');
    const context = await fixtureContext(model, 'tiny-llama');
    await expect(resolveRecipe(model, recipeOf(hqq(4, 64)), 'gguf', context)).rejects.toThrow(RecipeError);
    await expect(resolveRecipe(model, recipeOf(hqq(4, 64)), 'gguf', context)).rejects.toThrow(/rule 1 \(hqq 4-bit\/64\) cannot be written to GGUF/);
  });
});

describeWithFixtures('HQQ exports (small-llama ONNX)', [['models', 'small-llama', 'onnx', 'model.onnx'], ['models', 'small-llama', 'tokenizer.json']], () => {
  for (const spec of [hqq(4, 64), hqq(4, 64, 'integer')]) {
    it(`${spec.zeroPoint} zero points: MatMulNBits as asked, and onnxruntime-node scores the file as the studio did (W=16)`, async () => {
      const compressed = await compressFixture('small-llama', 'onnx/model.onnx', recipeOf(spec), 'onnx');
      expect(compressed.resolved.plan.notes.includes(FLOAT_ZERO_POINTS_NOTE)).toBe(spec.zeroPoint === 'float');
      const exported = await exportedBytes(compressed);
      expect(exported.byteLength).toBe(compressed.resolved.plan.outputBytes);
      const onnx = await openOnnx([{ name: 'hqq.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
      const nodes = onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits');
      expect(nodes.length).toBe(compressed.resolved.plan.order.length);
      for (const n of nodes) {
        const zp = onnx.initializerByName.get(n.inputs[3])!;
        const scales = onnx.initializerByName.get(n.inputs[2])!;
        if (spec.zeroPoint === 'float') {
          expect([zp.dtype, zp.dims]).toEqual([scales.dtype, scales.dims]);
        } else {
          expect(zp.dtype).toBe('u8');
        }
      }
      const tokens = loadTokenizer(await readFile(fixturePath('models', 'small-llama', 'tokenizer.json'))).encode(await readFile(fixturePath('text', 'wikitext-2-test.txt'), 'utf8'));
      const evaluator = await VariantEvaluator.create(compressed.opened, (b) => createNodeLmSession(b));
      try {
        const shown = await evaluator.evaluate(tokens, variantWeights(compressed.resolved.plan, compressed.results), { windows: 16 });
        const session = await createNodeLmSession(exported);
        const direct = await evaluatePerplexity(session, tokens, { windows: 16 });
        await session.release();
        console.log(`small-llama HQQ 4-bit/64 ${spec.zeroPoint} zero points (ONNX): studio ${shown.ppl.toFixed(4)}, onnxruntime-node on the export ${direct.ppl.toFixed(4)} (W=16), ${compressed.resolved.plan.bitsPerWeight.toFixed(3)} bits/weight`);
        expect(Math.abs(direct.ppl / shown.ppl - 1)).toBeLessThan(0.005);
      } finally {
        await evaluator.release();
      }
      // Ŵ the evaluator fed is the tensor's dequantization (float zero points included).
      const [name, t] = [...compressed.results][0] as [string, IntGroupTensor];
      expect(name).toBeTruthy();
      expect(dequantizeRef(t).every(Number.isFinite)).toBe(true);
    }, 300_000);
  }
});
