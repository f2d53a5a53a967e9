// The registered AWQ method through the whole seam (tiny-llama ONNX, grouped-query attention:
// 4 heads over 2 key/value heads): the recipe fields and their defaults; the plan's scale groups
// (q/k/v and gate/up behind their norms, o behind v tied across the heads sharing a key/value
// head, down behind up), the norms it rewrites, and the weights it cannot give scales to, with
// the reason; GPU against reference on a whole calibrated run (Dawn through the `webgpu` package:
// SwiftShader here, so 5 grid points to keep it short); the ONNX export has the source's ops, runs in onnxruntime-node with the
// perplexity the studio's evaluator showed, and 8-bit AWQ leaves the model's perplexity where it
// was (the scales fold out exactly); safetensors stores the folded norms and Ŵ as the evaluator fed them;
// GGUF refuses before work.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { IntGroupTensor } from '../../core/compressed-tensor';
import { RecipeError } from '../../core/errors';
import { RECIPE_VERSION, type AwqQuantize, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { evaluatePerplexity } from '../../eval/perplexity';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { openOnnx } from '../../formats/onnx/onnx-reader';
import { findSafetensorsTensor, openSafetensors } from '../../formats/safetensors/safetensors-reader';
import { bytesSource } from '../../core/byte-source';
import { acquireNodeGpu } from '../../gpu/node-gpu';
import { gpuForTests } from '../../gpu/testing';
import { codeAt } from '../../quant/rtn';
import { CalibrationCache, calibrator } from '../calibration/calibrator';
import { compressModel, exportCompressed } from '../compress-model';
import { blobSink, concatChunks } from '../../core/byte-sink';
import { fixtureContext, openFixture } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { parseRecipe } from '../recipe/parse-recipe';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { variantWeights } from '../variant-weights';

const { ctx, skipReason } = await gpuForTests(() => acquireNodeGpu());
if (!ctx) console.warn(skipReason);
afterAll(() => ctx?.destroy());

const PUBLIC = resolve(import.meta.dirname, '../../../public/eval');
const W = 16;

const awq = (quantize: Record<string, unknown>): AwqQuantize =>
  parseRecipe({ recipe: 1, rules: [{ match: '.*', quantize: { method: 'awq', ...quantize } }] }).rules[0].quantize as AwqQuantize;

function recipeOf(quantize: AwqQuantize | Record<string, unknown>, windows = 8): Recipe {
  return parseRecipe({ recipe: RECIPE_VERSION, calibration: { text: 'builtin', windows }, rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] });
}

describeWithFixtures('the AWQ method (tiny-llama ONNX)', [['models', 'tiny-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  beforeAll(async () => {
    model = await openFixture('tiny-llama', 'onnx/model.onnx');
  });

  it('takes the rtn grid fields plus gridPoints and clip, with the reference defaults', () => {
    expect(awq({ bits: 4 })).toEqual({ method: 'awq', bits: 4, group: 128, symmetric: false, gridPoints: 20, clip: true });
    expect(() => awq({ bits: 4, gridPoints: 0 })).toThrow(/rule 0: quantize.gridPoints must be an integer from 1 to 100/);
    expect(() => awq({ bits: 4, clip: 'yes' })).toThrow(/rule 0: quantize.clip must be true or false/);
    expect(() => awq({ bits: 4, damping: 0.1 })).toThrow(RecipeError);
    // On a llama.cpp type: the block type is the grid.
    expect(awq({ type: 'Q4_K' })).toEqual({ method: 'awq', type: 'Q4_K', gridPoints: 20 });
    expect(() => awq({ type: 'Q4_K', bits: 4 })).toThrow(/rule 0: quantize.bits does not go with quantize.type/);
    expect(() => awq({ type: 'F16' })).toThrow(/rule 0: quantize.type must be one of Q8_0, .* for awq \(a llama.cpp block type\)/);
  });

  it('plans a scale group per norm, v and up of every layer, rewrites the norms, and says why a weight gets none', async () => {
    const { plan } = await resolveRecipe(model, recipeOf(awq({ bits: 4 })), 'onnx', await fixtureContext(model, 'tiny-llama'));
    expect(plan.awq).toHaveLength(16);
    const layer0 = plan.awq!.filter((g) => g.id.startsWith('model.layers.0 '));
    const layerOf = (name: string) => plan.tensors.find((t) => t.name === name)!.layer;
    expect(layer0.map((g) => [g.id, g.consumers.map(layerOf), layerOf(g.producer.name) ?? g.producer.name, g.producer.kind])).toEqual([
      ['model.layers.0 attention input', ['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.k_proj', 'model.layers.0.self_attn.v_proj'], 'model.layers.0.input_layernorm', 'norm'],
      ['model.layers.0 o_proj input', ['model.layers.0.self_attn.o_proj'], 'model.layers.0.self_attn.v_proj', 'rows'],
      ['model.layers.0 MLP input', ['model.layers.0.mlp.gate_proj', 'model.layers.0.mlp.up_proj'], 'model.layers.0.post_attention_layernorm', 'norm'],
      ['model.layers.0 down_proj input', ['model.layers.0.mlp.down_proj'], 'model.layers.0.mlp.up_proj', 'rows'],
    ]);
    expect(layer0[1].tie).toEqual({ heads: 4, kvHeads: 2, headDim: 32 });
    const folded = plan.tensors.filter((t) => t.action.kind === 'fold');
    expect(folded.map((t) => t.layer).sort()).toEqual([0, 1, 2, 3].flatMap((l) => [`model.layers.${l}.input_layernorm`, `model.layers.${l}.post_attention_layernorm`]).sort());
    expect(folded.every((t) => t.encoding.kind === 'float' && t.bytesAfter === t.bytesBefore)).toBe(true);
    expect(plan.order).toEqual(expect.arrayContaining(folded.map((t) => t.name)));

    // AWQ on q_proj only: its input also feeds k and v, which round-to-nearest takes.
    const partial = parseRecipe({ recipe: 1, rules: [{ match: 'q_proj', quantize: { method: 'awq', bits: 4 } }, { match: 'proj', quantize: { method: 'rtn', bits: 4 } }] });
    const p = (await resolveRecipe(model, partial, 'onnx')).plan;
    expect(p.awq).toBeUndefined();
    expect(p.tensors.find((t) => t.layer === 'model.layers.0.self_attn.q_proj')!.notes).toContain(
      'AWQ without scales (clip search only): its input also feeds model.layers.0.self_attn.k_proj, which is taken by rule 1 (rtn 4-bit/32 asym): every weight reading that input must take AWQ for its scales to be folded before them',
    );
  });

  it('GGUF output refuses AWQ on the integer grid before any work, naming the rule, and takes it on a llama.cpp type', async () => {
    const context = await fixtureContext(model, 'tiny-llama');
    await expect(resolveRecipe(model, recipeOf(awq({ bits: 4 })), 'gguf', context)).rejects.toThrow(/rule 1 \(awq 4-bit\/128 asym\) cannot be written to GGUF/);
    const { plan } = await resolveRecipe(model, recipeOf(awq({ type: 'Q4_0' })), 'gguf', context);
    expect(plan.awq).toHaveLength(16);
    expect(plan.tensors.find((t) => t.layer === 'model.layers.0.mlp.up_proj')!.encoding).toEqual({ kind: 'ggml', type: 'Q4_0' });
    expect(plan.tensors.find((t) => t.layer === 'model.layers.0.input_layernorm')!.encoding).toEqual({ kind: 'float', dtype: 'F32', dequantized: false });
    // A K-quant needs rows of 256: tiny-llama's 128 are refused, naming the tensor.
    await expect(resolveRecipe(model, recipeOf(awq({ type: 'Q4_K' })), 'gguf', context)).rejects.toThrow(/its rows of 128 are not a multiple of the Q4_K block of 256/);
  });
});

describeWithFixtures('AWQ runs and exports (tiny-llama ONNX)', [['models', 'tiny-llama', 'onnx', 'model.onnx'], ['models', 'tiny-llama', 'tokenizer.json']], () => {
  let model: OpenedModel;
  let tokens: ArrayLike<number>;
  let evaluator: VariantEvaluator;
  const cache = new CalibrationCache();
  const text = readFileSync(`${PUBLIC}/wikitext-2-valid-excerpt.txt`, 'utf8');
  beforeAll(async () => {
    model = await openFixture('tiny-llama', 'onnx/model.onnx');
    tokens = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength), {}, 'tokenizer.json').encode(readFileSync(`${PUBLIC}/wikitext-2-test-excerpt.txt`, 'utf8'));
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
  }, 120_000);
  afterAll(() => evaluator?.release());

  async function run(recipe: Recipe, gpu = ctx ?? undefined) {
    const resolved = await resolveRecipe(model, recipe, 'onnx', await fixtureContext(model, 'tiny-llama'));
    const calibrate = calibrator(model, resolved.plan.calibration!, { text: async () => text, createSession: (b) => createNodeLmSession(b), cache });
    const out = await compressModel(model, resolved, { gpu, keepResults: true, calibrate });
    return { resolved, ...out, results: out.results! };
  }

  (ctx ? it : it.skip)('GPU = reference on a whole calibrated run: the same scales, clip choices and codes', async () => {
    const recipe = recipeOf(awq({ bits: 3, group: 32, gridPoints: 5 }), 4);
    const [gpu, ref] = [await run(recipe), await run(recipe, undefined)];
    for (const [name, r] of ref.results) {
      const g = gpu.results.get(name)!;
      if (r.kind !== 'int-groups') {
        expect(g, name).toEqual(r); // a folded norm
        continue;
      }
      const gi = g as IntGroupTensor;
      let same = 0;
      for (let i = 0; i < r.rows * r.cols; i++) if (codeAt(gi, Math.floor(i / r.cols), i % r.cols) === codeAt(r, Math.floor(i / r.cols), i % r.cols)) same++;
      expect(same / (r.rows * r.cols), `${name}: code agreement`).toBeGreaterThanOrEqual(0.999);
    }
    // The chosen exponents (in each weight's notes) agree.
    const alphas = (rep: typeof ref.report) => rep.tensors.flatMap((t) => t.notes.filter((n) => n.startsWith('AWQ scales')).map((n) => n.replace(/, output error.*/, '')));
    expect(alphas(gpu.report)).toEqual(alphas(ref.report));
    expect(alphas(ref.report)).toHaveLength(4 * 7);
  }, 600_000);

  it('8-bit AWQ leaves perplexity where it was, and the ONNX export scores in onnxruntime-node as the studio showed', async () => {
    const original = await evaluator.evaluate(tokens, [], { windows: W });
    const out = await run(recipeOf(awq({ bits: 8, group: 32 })), undefined);
    const shown = await evaluator.evaluate(tokens, variantWeights(out.resolved.plan, out.results), { windows: W });
    const sink = blobSink();
    await exportCompressed(out.resolved, out.results, async () => sink);
    const exported = concatChunks(sink.chunks);
    expect(exported.byteLength).toBe(out.resolved.plan.outputBytes);
    const session = await createNodeLmSession(exported);
    const direct = await evaluatePerplexity(session, tokens, { windows: W });
    await session.release();
    console.log(`tiny-llama AWQ 8-bit/32: original ${original.ppl.toFixed(4)}, studio ${shown.ppl.toFixed(4)}, onnxruntime-node on the export ${direct.ppl.toFixed(4)} (W=${W})`);
    expect(Math.abs(shown.ppl / original.ppl - 1)).toBeLessThan(0.005);
    expect(Math.abs(direct.ppl / shown.ppl - 1)).toBeLessThan(0.005);
    // The same ops as the source graph: MatMul weights became MatMulNBits, nothing else changed.
    const src = model.onnx!.graph.nodes.map((n) => n.opType);
    const onnx = await openOnnx([{ name: 'awq.onnx', byteLength: exported.byteLength, read: async (o, n) => exported.subarray(o, o + n) }]);
    expect(onnx.graph.nodes.map((n) => n.opType)).toEqual(src.map((op, i) => (op === 'MatMul' && onnx.graph.nodes[i].opType === 'MatMulNBits' ? 'MatMulNBits' : op)));
    expect(onnx.graph.nodes.filter((n) => n.opType === 'MatMulNBits')).toHaveLength(28);

    // safetensors from the same results: the folded norms and Ŵ (with its scales) as the evaluator fed them.
    const st = await resolveRecipe(model, out.resolved.plan.recipe, 'safetensors', await fixtureContext(model, 'tiny-llama'));
    expect(st.plan.tensors.filter((t) => t.action.kind === 'fold')).toHaveLength(8);
    const stSink = blobSink();
    await exportCompressed(st, out.results, async () => stSink);
    const stBytes = concatChunks(stSink.chunks);
    expect(stBytes.byteLength).toBe(st.plan.outputBytes);
    const file = await openSafetensors(bytesSource(stBytes, 'model.safetensors'));
    const fed = new Map(variantWeights(out.resolved.plan, out.results).map((w) => [w.name, w]));
    for (const [hf, source] of [['model.layers.0.input_layernorm.weight', 'model.model.layers.0.input_layernorm.weight'], ['model.layers.2.post_attention_layernorm.weight', 'model.model.layers.2.post_attention_layernorm.weight']]) {
      const t = findSafetensorsTensor(file, hf)!;
      const stored = new Float32Array(stBytes.slice(t.byteOffset, t.byteOffset + t.byteLength).buffer);
      expect(Array.from(stored), hf).toEqual(Array.from(await fed.get(source)!.values()));
    }
  }, 600_000);
});
