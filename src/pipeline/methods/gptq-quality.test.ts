// GPTQ quality on a real trained model (small-llama, docs/EVAL.md wikitext2-w256, W=16): GPTQ
// against round-to-nearest on the same grid, through the whole seam — recipe, calibration on the
// bundled validation text (onnxruntime-node, sequential as by default), the CPU references, and
// perplexity of the quantized weights. Sizes are equal by construction (the same grid); the
// figures are printed for the closing note.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, RECIPE_VERSION, type QuantizeSpec, type Recipe } from '../../core/recipe';
import { OUTPUT_HEAD_PATTERN } from '../../core/tensor-selection';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { CalibrationCache, calibrator } from '../calibration/calibrator';
import { compressModel } from '../compress-model';
import { openFixture } from '../exporters/testing/export-fixtures';
import type { OpenedModel } from '../open-model';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { variantWeights } from '../variant-weights';

const PUBLIC = resolve(import.meta.dirname, '../../../public/eval');
const W = 16;
/** Calibration windows (of the protocol's 128): the CPU reference Hessians within CI's time. */
const CALIBRATION = { ...DEFAULT_CALIBRATION, windows: 32 };

function recipeOf(quantize: QuantizeSpec): Recipe {
  const calibrated = quantize.method === 'gptq';
  return { recipe: RECIPE_VERSION, ...(calibrated ? { calibration: CALIBRATION } : {}), rules: [{ match: OUTPUT_HEAD_PATTERN, keep: true }, { match: '.*', role: 'matmul-weight', quantize }] };
}

describeWithFixtures('GPTQ quality on small-llama (W=16)', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let evaluator: VariantEvaluator;
  let evalTokens: Int32Array;
  const cache = new CalibrationCache();
  const text = readFileSync(`${PUBLIC}/wikitext-2-valid-excerpt.txt`, 'utf8');

  beforeAll(async () => {
    model = await openFixture('small-llama', 'onnx/model.onnx');
    const tokenizer = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength), {}, 'tokenizer.json');
    evalTokens = tokenizer.encode(readFileSync(`${PUBLIC}/wikitext-2-test-excerpt.txt`, 'utf8'));
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
  }, 120_000);

  async function measure(quantize: QuantizeSpec): Promise<{ ppl: number; bytes: number }> {
    // bytes: the quantized tensors' (the file also carries the recipe, longer for gptq).
    const recipe = recipeOf(quantize);
    const resolved = await resolveRecipe(model, recipe, 'onnx');
    const spec = resolved.plan.calibration;
    const { results, report } = await compressModel(model, resolved, {
      keepResults: true,
      calibrate: spec ? calibrator(model, spec, { text: async () => text, createSession: (b) => createNodeLmSession(b), cache }) : undefined,
    });
    const r = await evaluator.evaluate(evalTokens, variantWeights(resolved.plan, results!), { windows: W });
    const tokens = report.calibration ? `, ${report.calibration.tokens} calibration tokens` : '';
    const bytes = resolved.plan.tensors.reduce((n, t) => n + t.bytesAfter, 0);
    console.log(`${JSON.stringify(quantize)}: ppl ${r.ppl.toFixed(4)} (W=${W}), tensors ${bytes} B, ${resolved.plan.bitsPerWeight.toFixed(4)} bits/weight${tokens}`);
    return { ppl: r.ppl, bytes };
  }

  const grid = (bits: 3 | 4) => ({ bits, group: 128 as const, symmetric: false });
  const gptq = (bits: 3 | 4, actOrder: boolean): QuantizeSpec => ({ method: 'gptq', ...grid(bits), damping: 0.01, blocksize: 128, actOrder });
  let rtn3: { ppl: number; bytes: number };
  beforeAll(async () => {
    rtn3 = await measure({ method: 'rtn', ...grid(3) });
  }, 300_000);

  it('GPTQ beats round-to-nearest at 3-bit/128, at the same size, with and without act-order', async () => {
    for (const actOrder of [false, true]) {
      const g = await measure(gptq(3, actOrder));
      expect(g.bytes).toBe(rtn3.bytes);
      expect(g.ppl).toBeLessThan(rtn3.ppl);
    }
  }, 900_000);

  it('GPTQ beats round-to-nearest at 4-bit/128', async () => {
    const rtn4 = await measure({ method: 'rtn', ...grid(4) });
    expect((await measure(gptq(4, false))).ppl).toBeLessThan(rtn4.ppl);
  }, 900_000);
});
