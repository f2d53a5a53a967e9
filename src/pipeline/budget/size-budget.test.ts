// The size budget on a real trained model (small-llama, docs/EVAL.md wikitext2-w256): at the
// bits per weight of uniform rtn 4-bit/32 it writes a recipe that fits the target exactly as
// planned, predicts less loss than the uniform setting, and beats it — the issue's check — in KL
// divergence from the original (W=16) and in perplexity (W=64).
// Also: a target by file size, a target below the smallest setting, and the recipe's shape.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RecipeError } from '../../core/errors';
import { RECIPE_VERSION, type Recipe } from '../../core/recipe';
import { describeWithFixtures } from '../../core/testing/fixtures';
import { createNodeLmSession } from '../../eval/ort-node';
import { loadTokenizer } from '../../eval/tokenizer';
import { VariantEvaluator } from '../../eval/variant-evaluator';
import { CalibrationCache, calibrator } from '../calibration/calibrator';
import { openFixture } from '../exporters/testing/export-fixtures';
import { qualityHarness, type QualityHarness } from '../methods/testing/quality-run';
import type { OpenedModel } from '../open-model';
import { parseRecipe } from '../recipe/parse-recipe';
import { resolveRecipe } from '../recipe/resolve-recipe';
import { sizeBudgetRecipe, type SizeBudgetOptions } from './size-budget';

const W = 16;
const TEXT = readFileSync(resolve(import.meta.dirname, '../../../public/eval/wikitext-2-valid-excerpt.txt'), 'utf8');
const UNIFORM: Recipe = { recipe: RECIPE_VERSION, rules: [{ match: '.*', role: 'matmul-weight', quantize: { method: 'rtn', bits: 4, group: 32, symmetric: false } }] };

describeWithFixtures('a size budget on small-llama', [['models', 'small-llama', 'onnx', 'model.onnx']], () => {
  let model: OpenedModel;
  let harness: QualityHarness;
  let opts: SizeBudgetOptions;
  let evaluator: VariantEvaluator;
  beforeAll(async () => {
    model = await openFixture('small-llama', 'onnx/model.onnx');
    harness = await qualityHarness('small-llama');
    const cache = new CalibrationCache();
    const calibrate = calibrator(model, { text: 'builtin', windows: 32, sequential: false }, { text: async () => TEXT, createSession: (b) => createNodeLmSession(b), cache });
    const tokens = loadTokenizer(await model.tokenizer!.read(0, model.tokenizer!.byteLength)).encode(TEXT);
    evaluator = await VariantEvaluator.create(model, (b) => createNodeLmSession(b));
    opts = { calibrate: (needs, signal) => calibrate(needs, signal), probe: { evaluator, tokens, windows: 4 } };
  }, 120_000);
  afterAll(async () => {
    await harness?.release();
    await evaluator?.release();
  });

  it('at uniform 4-bit/32\'s bits per weight it fits, predicts less loss and beats it', async () => {
    const uniformPlan = (await resolveRecipe(model, UNIFORM, 'onnx')).plan;
    const budget = await sizeBudgetRecipe(model, { bitsPerWeight: uniformPlan.bitsPerWeight }, 'onnx', opts);
    // The recipe is a valid recipe, and its plan takes exactly the bytes the budget counted.
    const recipe = parseRecipe(JSON.parse(JSON.stringify(budget.recipe)));
    const plan = (await resolveRecipe(model, recipe, 'onnx')).plan;
    expect(plan.bitsPerWeight).toBeCloseTo(budget.bitsPerWeight, 9);
    expect(plan.bitsPerWeight).toBeLessThanOrEqual(uniformPlan.bitsPerWeight);
    const uniform = budget.uniform.find((u) => u.spec.method === 'rtn' && u.spec.bits === 4 && u.spec.group === 32)!;
    expect(budget.loss).toBeLessThan(uniform.loss);
    const mixed = await harness.run(recipe, W);
    const flat = await harness.run(UNIFORM, W);
    console.log(
      `budget at ${uniformPlan.bitsPerWeight} bits/weight: ${recipe.rules.map((r) => `${r.quantize && 'bits' in r.quantize ? `${r.quantize.bits}-bit/${r.quantize.group}` : '?'} ×${r.match.split('|').length}`).join(', ')}; ` +
        `ppl ${mixed.evaluation.ppl.toFixed(4)} KL ${mixed.evaluation.kl?.mean.toFixed(5)} (${plan.bitsPerWeight.toFixed(4)} bits/weight) vs uniform rtn 4-bit/32 ${flat.evaluation.ppl.toFixed(4)} KL ${flat.evaluation.kl?.mean.toFixed(5)} (${uniformPlan.bitsPerWeight.toFixed(4)}), predicted loss ${budget.loss.toExponential(3)} vs ${uniform.loss.toExponential(3)}`,
    );
    // Closer to the original: KL well below the uniform setting's (W=16); at 4 bits W=16's perplexity
    // moves by noise (±0.4 % between 4-bit settings here), so perplexity is compared at W=64.
    expect(mixed.evaluation.kl!.mean).toBeLessThan(flat.evaluation.kl!.mean * 0.75);
    const [m64, f64] = [await harness.run(recipe, 64), await harness.run(UNIFORM, 64)];
    console.log(`W=64: budget ppl ${m64.evaluation.ppl.toFixed(4)} KL ${m64.evaluation.kl?.mean.toFixed(5)}, uniform ${f64.evaluation.ppl.toFixed(4)} KL ${f64.evaluation.kl?.mean.toFixed(5)}`);
    expect(m64.evaluation.ppl).toBeLessThan(f64.evaluation.ppl);
  }, 900_000);

  it('takes a file size, and refuses one below the smallest setting before any work', async () => {
    const uniformPlan = (await resolveRecipe(model, UNIFORM, 'onnx')).plan;
    // Raw output errors (no probes): the target, not the sensitivity, is under test here.
    const budget = await sizeBudgetRecipe(model, { bytes: uniformPlan.outputBytes }, 'onnx', { ...opts, probe: undefined });
    expect(budget.sensitivity).toBe('output-error');
    const plan = (await resolveRecipe(model, budget.recipe, 'onnx')).plan;
    expect(plan.outputBytes).toBeLessThanOrEqual(uniformPlan.outputBytes);
    expect(budget.recipe.name).toBe(`budget-${uniformPlan.outputBytes}B`);
    await expect(sizeBudgetRecipe(model, { bitsPerWeight: 1 }, 'onnx', opts)).rejects.toThrow(RecipeError);
    await expect(sizeBudgetRecipe(model, { bitsPerWeight: 1 }, 'onnx', opts)).rejects.toThrow(/below the smallest the candidates can make: every weight at its smallest setting takes \d+ bytes \(2\.\d+ bits\/weight\)/);
  }, 600_000);
});
